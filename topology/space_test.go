package topology

import (
	"net/netip"
	"testing"
)

func TestSpaceQuestions(t *testing.T) {
	space := func(ps ...string) []netip.Prefix {
		var out []netip.Prefix
		for _, p := range ps {
			out = append(out, netip.MustParsePrefix(p))
		}
		return out
	}
	two := space("10.0.0.0/24", "10.0.1.0/24")
	for _, tc := range []struct {
		addr string
		want bool
	}{{"10.0.1.9", true}, {"10.0.2.0", false}, {"::1", false}} {
		if got := SpaceContains(two, netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("SpaceContains(%v, %s) = %t, want %t", two, tc.addr, got, tc.want)
		}
	}
	for _, tc := range []struct {
		p    string
		want bool
	}{
		{"10.0.1.0/25", true},
		{"10.0.0.0/24", true},
		{"10.0.0.0/23", false}, // across two adjacent ranges: held by neither
		{"10.0.2.0/24", false},
	} {
		if got := SpaceHolds(two, netip.MustParsePrefix(tc.p)); got != tc.want {
			t.Errorf("SpaceHolds(%v, %s) = %t, want %t", two, tc.p, got, tc.want)
		}
	}
	for _, tc := range []struct {
		a, b []netip.Prefix
		i, j int
		ok   bool
	}{
		{two, space("192.168.0.0/16", "10.0.1.128/25"), 1, 1, true},
		{space("10.0.0.0/8"), two, 0, 0, true},
		{two, space("10.0.2.0/24"), 0, 0, false},
	} {
		if i, j, ok := SpacesOverlap(tc.a, tc.b); i != tc.i || j != tc.j || ok != tc.ok {
			t.Errorf("SpacesOverlap(%v, %v) = %d, %d, %t, want %d, %d, %t", tc.a, tc.b, i, j, ok, tc.i, tc.j, tc.ok)
		}
	}
}
