package sim

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology"
)

// A ReachView answers every subnet pair as Reach lists it, whether source
// groups share rows or not, and explains a pair as Reach does.
func TestReachViewAgreesWithReach(t *testing.T) {
	n := loadFileT(t, "../examples/hub-spoke.yaml")
	for _, proto := range []topology.Protocol{topology.ProtocolAll, topology.TCP} {
		want := New(n).Reach(ReachOptions{Level: LevelSubnet, Protocol: proto})
		for _, share := range []bool{false, true} {
			v := NewReachView(n, ViewOptions{Protocol: proto, ShareRows: share})
			pairs := map[GroupPair]bool{}
			for i := range v.Len() {
				for j := range v.Len() {
					pairs[v.AnsweredBy(v.Group(i), v.Group(j))] = true
				}
			}
			v.Walk(pairs)
			var got []ReachPair
			for i := range v.Len() {
				if k, ok := v.Index(v.Name(i)); !ok || k != i {
					t.Fatalf("Index(%s) = %d, %t, want %d", v.Name(i), k, ok, i)
				}
				for j := range v.Len() {
					if i == j {
						continue
					}
					p := v.Pair(i, j)
					if o, reason := v.Result(v.AnsweredBy(v.Group(i), v.Group(j))); o != p.Result || reason != p.Reason {
						t.Errorf("%s → %s: Result %s %s, Pair %s %s", p.From, p.To, o, reason, p.Result, p.Reason)
					}
					v.Explain(&p)
					got = append(got, p)
				}
			}
			if d := cmp.Diff(want.Pairs, got, netipEqual); d != "" {
				t.Errorf("protocol %s, shared rows %t: view differs from Reach (-Reach +view):\n%s", proto, share, d)
			}
		}
	}
}
