package topology

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology/diag"
)

func ownedT(p, owner string) ownedPrefix {
	return ownedPrefix{prefix: netip.MustParsePrefix(p), owner: owner}
}

// Overlapping prefixes form sets: the first in address order holds the
// others, and each member knows the nearest enclosing member of another
// owner (whom a check of pairs reported it against) and the smallest owner
// it overlaps.
func TestOverlapSets(t *testing.T) {
	for _, tc := range []struct {
		name  string
		items []ownedPrefix
		want  []string // per set: "owner<ancestor's owner|partner's owner" in address order
	}{
		{"nested three", []ownedPrefix{ownedT("10.0.1.0/25", "z"), ownedT("10.0.0.0/16", "x"), ownedT("10.0.1.0/24", "y")},
			[]string{"x<-|y y<x|x z<y|x"}},
		{"siblings inside one", []ownedPrefix{ownedT("10.0.0.0/16", "x"), ownedT("10.0.1.0/24", "y"), ownedT("10.0.2.0/24", "z")},
			[]string{"x<-|y y<x|x z<x|x"}},
		{"two sets", []ownedPrefix{ownedT("10.0.0.0/24", "b"), ownedT("10.0.0.0/24", "a"), ownedT("10.9.0.0/24", "d"), ownedT("10.9.0.0/25", "c")},
			[]string{"a<-|b b<a|a", "d<-|c c<d|d"}},
		{"disjoint", []ownedPrefix{ownedT("10.0.0.0/24", "x"), ownedT("10.0.1.0/24", "y")}, nil},
		{"same owner twice is no overlap", []ownedPrefix{ownedT("10.0.0.0/16", "x"), ownedT("10.0.1.0/24", "x")}, nil},
		{"same owner in between", []ownedPrefix{ownedT("10.0.0.0/16", "x"), ownedT("10.0.1.0/24", "y"), ownedT("10.0.1.0/25", "y")},
			[]string{"x<-|y y<x|x y<x|x"}},
		{"IPv4 and IPv6 apart", []ownedPrefix{ownedT("10.0.0.0/8", "x"), ownedT("::/0", "y")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, set := range overlapSets(tc.items) {
				var ms []string
				for i, m := range set.members {
					anc, partner := "-", "-"
					if a := set.ancestor[i]; a >= 0 {
						anc = set.members[a].owner
					}
					if p := set.partner[i]; p >= 0 {
						partner = set.members[p].owner
					}
					ms = append(ms, m.owner+"<"+anc+"|"+partner)
				}
				got = append(got, strings.Join(ms, " "))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("overlapSets = %q, want %q", got, tc.want)
			}
		})
	}
}

// overlapSets agrees with a check of every pair on random prefixes: two
// overlapping items of different owners share a set, a member's ancestor
// is the nearest earlier item that holds it with another owner, and its
// partner has the smallest owner among the items it overlaps.
func TestOverlapSetsAgreeWithPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 10))
	for round := range 2000 {
		items := make([]ownedPrefix, 1+rng.IntN(9))
		for i := range items {
			bits := 20 + rng.IntN(5)
			addr := netip.AddrFrom4([4]byte{10, 0, byte(rng.IntN(16)), 0})
			items[i] = ownedPrefix{prefix: netip.PrefixFrom(addr, bits).Masked(), owner: string(rune('a' + rng.IntN(4))), path: diag.P(fmt.Sprint(i))}
		}
		sets := overlapSets(items)
		where := map[string][2]int{} // item's path → set, position
		for s, set := range sets {
			for i, m := range set.members {
				where[m.path[0]] = [2]int{s, i}
			}
		}
		for _, x := range items {
			wx, inSet := where[x.path[0]]
			minOther := ""
			for _, y := range items {
				if x.owner == y.owner || !x.prefix.Overlaps(y.prefix) {
					continue
				}
				if minOther == "" || y.owner < minOther {
					minOther = y.owner
				}
				if wy, ok := where[y.path[0]]; !inSet || !ok || wx[0] != wy[0] {
					t.Fatalf("round %d: %v and %v overlap but are not in one set: %v", round, x, y, sets)
				}
			}
			if !inSet {
				continue
			}
			set := sets[wx[0]]
			gotPartner := ""
			if p := set.partner[wx[1]]; p >= 0 {
				gotPartner = set.members[p].owner
			}
			if gotPartner != minOther {
				t.Fatalf("round %d: partner of %v is %q, want %q (items %v)", round, x, gotPartner, minOther, items)
			}
			wantAnc := -1
			for j := wx[1] - 1; j >= 0; j-- {
				if m := set.members[j]; m.owner != x.owner && m.prefix.Bits() <= x.prefix.Bits() && m.prefix.Contains(x.prefix.Addr()) {
					wantAnc = j
					break
				}
			}
			if got := set.ancestor[wx[1]]; got != wantAnc {
				t.Fatalf("round %d: ancestor of %v is %d, want %d (set %v)", round, x, got, wantAnc, set.members)
			}
		}
	}
}

// identicalSubnets is one VNet with n subnets of the same prefix.
func identicalSubnets(n int) []byte {
	var b strings.Builder
	b.WriteString("name: t\nvirtualNetworks:\n  A:\n    addressSpace: [10.0.0.0/16]\n    subnets:\n")
	for i := range n {
		fmt.Fprintf(&b, "      s%04d: {addressPrefix: 10.0.1.0/24}\n", i)
	}
	return []byte(b.String())
}

// identicalSpokes is a hub with n spokes of the same address space, each
// peered both ways, on platform.
func identicalSpokes(platform string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "name: t\nplatform: %s\nvirtualNetworks:\n  hub:\n    addressSpace: [10.255.0.0/16]\n    peerings:\n", platform)
	for i := range n {
		fmt.Fprintf(&b, "      h-%04d: {remoteVirtualNetwork: s%04d}\n", i, i)
	}
	for i := range n {
		fmt.Fprintf(&b, "  s%04d:\n    addressSpace: [10.1.0.0/16]\n    peerings: {p: {remoteVirtualNetwork: hub}}\n", i)
	}
	return []byte(b.String())
}

// A set of overlapping subnets, or of spokes of one hub, is one
// diagnostic, whatever its size: it names the first pair, counts the set
// and relates a few members, the last saying how many more there are.
// Checking pairs gave 499,500 diagnostics for 1,000 subnets (200 MB of
// text, 12 s).
func TestOverlapSetIsOneDiagnostic(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		code diag.Code
		also int
		want string
	}{
		{"1000 identical subnets", identicalSubnets(1000), diag.SubnetOverlap, 998,
			"subnet A/s0001: 10.0.1.0/24 overlaps 10.0.1.0/24 of subnet s0000; 1000 subnets of A overlap within 10.0.1.0/24"},
		{"1000 identical spokes", identicalSpokes("azure", 1000), diag.PeeredOverlapsHubPeer, 998,
			"peering p: s0001 (10.1.0.0/16) overlaps s0000 (10.1.0.0/16), which is already peered with hub; 1000 VNets peered with hub overlap within 10.1.0.0/16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, ds := Check("t.yaml", tc.data)
			if len(ds) != 1 {
				t.Fatalf("%d diagnostics, want one; the first:\n%s", len(ds), formatDiags(ds[:min(3, len(ds))]))
			}
			d := ds[0]
			if d.Code != tc.code || d.Summary != tc.want || len(d.Also) != tc.also {
				t.Errorf("got %s %q with %d more objects, want %s %q with %d", d.Code, d.Summary, len(d.Also), tc.code, tc.want, tc.also)
			}
			if len(d.Related) != maxSetRelated || !strings.HasSuffix(d.Related[maxSetRelated-1].Message, ", and 994 more") {
				t.Errorf("related locations:\n%s", formatDiags(ds))
			}
		})
	}
}

// Validating sets of overlapping objects costs time and memory linear in
// the objects: four times the objects allocate at most five times as much
// (a check of pairs allocates sixteen times as much, a diagnostic per
// pair).
func TestOverlapSetsGrowLinearly(t *testing.T) {
	for _, tc := range []struct {
		name string
		data func(int) []byte
	}{
		{"subnets", identicalSubnets},
		{"spokes", func(n int) []byte { return identicalSpokes("windows-sdn", n) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cost := func(n int) uint64 {
				net, _, _ := Load("t.yaml", tc.data(n))
				if net == nil {
					t.Fatal("the estate does not load")
				}
				return allocated(func() { Validate(net) })
			}
			small, large := cost(250), cost(1000)
			if large > 5*small {
				t.Errorf("Validate allocated %d bytes for 250 and %d for 1000: more than linear", small, large)
			}
		})
	}
}
