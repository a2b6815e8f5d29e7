package sim

import (
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"unsafe"

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
		bin, ain := DiffInput{Network: before}, DiffInput{Network: after}
		b.Run(fmt.Sprintf("spokes=%d", spokes), func(b *testing.B) {
			b.ReportAllocs()
			var res *DiffResult
			var peak uint64
			for b.Loop() {
				var err error
				if res, err = Diff(bin, ain, DiffOptions{}); err != nil {
					b.Fatal(err)
				}
				peak = max(peak, heapInUse())
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
	res, err := Diff(DiffInput{Network: before}, DiffInput{Network: after}, DiffOptions{})
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
