package topology

import (
	"net/netip"
	"slices"
	"testing"
)

// Nested prefixes overlap every prefix that encloses them, not only the
// outermost one: subnets 10.0.0.0/16, 10.0.1.0/24 and 10.0.1.0/25 are three
// overlapping pairs.
func TestOverlapsReportsEveryEnclosingOwner(t *testing.T) {
	item := func(p, owner string) ownedPrefix {
		return ownedPrefix{prefix: netip.MustParsePrefix(p), owner: owner}
	}
	for _, tc := range []struct {
		name  string
		items []ownedPrefix
		want  []string // "a~b" in report order
	}{
		{"nested three", []ownedPrefix{item("10.0.1.0/25", "z"), item("10.0.0.0/16", "x"), item("10.0.1.0/24", "y")},
			[]string{"x~y", "x~z", "y~z"}},
		{"siblings inside one", []ownedPrefix{item("10.0.0.0/16", "x"), item("10.0.1.0/24", "y"), item("10.0.2.0/24", "z")},
			[]string{"x~y", "x~z"}},
		{"disjoint", []ownedPrefix{item("10.0.0.0/24", "x"), item("10.0.1.0/24", "y")}, nil},
		{"same owner twice is no overlap", []ownedPrefix{item("10.0.0.0/16", "x"), item("10.0.1.0/24", "x")}, nil},
		{"one report per owner pair", []ownedPrefix{item("10.0.0.0/16", "x"), item("10.0.1.0/24", "y"), item("10.0.2.0/24", "y")},
			[]string{"x~y"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, o := range overlaps(tc.items) {
				got = append(got, o.a.owner+"~"+o.b.owner)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("overlaps = %v, want %v", got, tc.want)
			}
		})
	}
}
