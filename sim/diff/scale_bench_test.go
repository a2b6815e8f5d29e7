package diff

import (
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"unsafe"

	"github.com/vnetsim/vnetsim/internal/simtest"
	"github.com/vnetsim/vnetsim/topology"
)

// hubRangeChange is 1 hub × spokes generated and the same estate with one
// more address range on the hub: on windows-sdn the plan deletes every
// peering, adds the range and re-creates them, and each state in between
// loses the pairs of every spoke cut off so far (issue 10).
func hubRangeChange(spokes int) (before, after *topology.Network) {
	before = topology.Generate(topology.GenerateOptions{Hubs: 1, Spokes: spokes})
	after = before.Clone()
	hub := after.VirtualNetworks["hub00"]
	hub.AddressSpace = append(hub.AddressSpace, netip.MustParsePrefix("100.99.0.0/16"))
	return before, after
}

// BenchmarkDiffHubRange reviews one address range added to a hub of 25, 50
// and 100 spokes (200 and 400 with VNETSIM_BENCH_LARGE=1). Every step's
// impact is reported, so the pairs lost over the plan grow with the cube
// of the estate; peak-heap-MiB, sampled with the result live, shows what
// holding them costs.
func BenchmarkDiffHubRange(b *testing.B) {
	sizes := []int{25, 50, 100}
	if os.Getenv("VNETSIM_BENCH_LARGE") == "1" {
		sizes = append(sizes, 200, 400)
	}
	for _, spokes := range sizes {
		before, after := hubRangeChange(spokes)
		bin, ain := Input{Network: before}, Input{Network: after}
		b.Run(fmt.Sprintf("spokes=%d", spokes), func(b *testing.B) {
			b.ReportAllocs()
			var res *Result
			var peak uint64
			for b.Loop() {
				var err error
				if res, err = Compare(bin, ain, Options{}); err != nil {
					b.Fatal(err)
				}
				peak = max(peak, simtest.HeapInUse())
			}
			if !res.Plan.Verified || len(res.Plan.Steps) != 4*spokes+1 {
				b.Fatalf("plan verified %t with %d steps: %v", res.Plan.Verified, len(res.Plan.Steps), res.Plan.Problems)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// A diff holds a plan's lost pairs once, not once per step: reviewing a
// range added to a hub of 24 spokes, whose 97 plan states lose more pairs
// with every spoke cut off, the result keeps less than a quarter of what
// its steps' lists take (2.3 GB for 100 spokes when each step kept its
// own), and ImpactLists still gives every list.
func TestDiffHoldsImpactOnce(t *testing.T) {
	before, after := hubRangeChange(24)
	live := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := live()
	res, err := Compare(Input{Network: before}, Input{Network: after}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := live()
	held := now - min(now, base)
	pairs := 0
	for i, lost := range res.ImpactLists() {
		n := 0
		for range lost {
			n++
		}
		if n != res.Plan.Steps[i].Impact.Count {
			t.Fatalf("step %d lists %d pairs and counts %d", i+1, n, res.Plan.Steps[i].Impact.Count)
		}
		pairs += n
	}
	lists := uint64(pairs) * uint64(unsafe.Sizeof(ReachChange{}))
	if len(res.Plan.Steps) != 97 || held > lists/4 {
		t.Errorf("%d steps lose %d pairs in all (%d bytes as lists); the result holds %d bytes", len(res.Plan.Steps), pairs, lists, held)
	}
	runtime.KeepAlive(res)
}

// BenchmarkScaleDiff reviews a change that removes ten spokes' peerings
// (both objects each), spread over the estate: structural changes, the
// plan with each step's reachability impact, and the subnet pairs gained
// and lost. It runs on the smallest estate only: the plan first removes
// the spokes' shared routes to the hub's appliance (the platform refuses a
// route whose next hop is out of reach), so its transient states lose
// nearly every subnet pair, and each of its 22 steps lists them (158,400
// pairs at 101 VNets, some 16 million at 1,002). BenchmarkScaleDiffPeerings
// measures a change whose impact is its own.
func BenchmarkScaleDiff(b *testing.B) {
	s := simtest.Sizes()[0]
	n := s.Estate()
	b.Run(s.String(), func(b *testing.B) {
		b.ReportAllocs()
		after := n.Clone()
		spokes := 0
		for _, v := range after.SortedVirtualNetworks() {
			if v.Gateway == nil {
				spokes++
			}
		}
		cut := 0
		for i, v := range after.SortedVirtualNetworks() {
			if v.Gateway != nil || i%(spokes/10) != 0 || cut == 10 {
				continue
			}
			for name, p := range v.Peerings {
				delete(v.Peerings, name)
				hub := after.VirtualNetworks[p.RemoteVirtualNetwork]
				for back, q := range hub.Peerings {
					if q.RemoteVirtualNetwork == v.Name {
						delete(hub.Peerings, back)
					}
				}
			}
			cut++
		}
		before, afterIn := Input{Network: n}, Input{Network: after}
		var res *Result
		for b.Loop() {
			var err error
			if res, err = Compare(before, afterIn, Options{}); err != nil {
				b.Fatal(err)
			}
		}
		if len(res.Reachability.Lost) == 0 {
			b.Fatal("cutting ten spokes loses no pairs")
		}
		b.ReportMetric(float64(len(res.Reachability.Lost)), "lost-pairs")
	})
}

// BenchmarkScaleDiffPeerings reviews a change of ten peering objects (ten
// spokes, spread over the hubs, stop accepting forwarded traffic), with
// and without each plan step's impact: 1 hub × 500 spokes always (issue
// 6), 20 hubs × 500 spokes (10,020 VNets, issue 7) with
// VNETSIM_BENCH_LARGE=1. peak-heap-MiB is sampled with the result live.
func BenchmarkScaleDiffPeerings(b *testing.B) {
	hubs := []int{1}
	if simtest.Large() {
		hubs = append(hubs, 20)
	}
	for _, h := range hubs {
		before, after := benchEstates(h, "forwarding")
		bin, ain := Input{Network: before}, Input{Network: after}
		for _, impact := range []bool{true, false} {
			b.Run(fmt.Sprintf("vnets=%d/impact=%t", h*501, impact), func(b *testing.B) {
				b.ReportAllocs()
				var res *Result
				var peak uint64
				for b.Loop() {
					var err error
					if res, err = Compare(bin, ain, Options{NoImpact: !impact}); err != nil {
						b.Fatal(err)
					}
					peak = max(peak, simtest.HeapInUse())
				}
				if !res.Plan.Verified || len(res.Plan.Steps) != 10 || len(res.Reachability.Lost) == 0 {
					b.Fatalf("plan verified %t with %d steps, %d pairs lost", res.Plan.Verified, len(res.Plan.Steps), len(res.Reachability.Lost))
				}
				held := 0
				for _, s := range res.Plan.Steps {
					held += s.Impact.Count
				}
				b.ReportMetric(float64(len(res.Reachability.Lost)), "lost-pairs")
				b.ReportMetric(float64(held), "impact-pairs")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			})
		}
	}
}
