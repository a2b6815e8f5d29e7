package sim

import (
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"testing"

	"github.com/vnetsim/vnetsim/topology"
)

// Scale benchmarks (issue 7) measure every stage on generated estates from
// about 100 to 10,000 VNets: hubs meshed with each other, spokes of four
// subnets and two VMs, user routes through each hub's appliance, ACLs on
// every spoke and gateway transit from every hub (topology.Generate). The
// larger estates take seconds per stage to build and measure, so they run
// only with VNETSIM_BENCH_LARGE=1; `make bench` stays quick.

// scaleSize is one generated estate.
type scaleSize struct{ hubs, spokes int }

// vnets returns the number of VNets the size generates.
func (s scaleSize) vnets() int { return s.hubs * (s.spokes + 1) }

func (s scaleSize) String() string { return fmt.Sprintf("vnets=%d", s.vnets()) }

// estate generates the estate of s.
func (s scaleSize) estate() *topology.Network {
	return topology.Generate(topology.GenerateOptions{Hubs: s.hubs, Spokes: s.spokes})
}

// scaleSizes lists the estates the scale benchmarks run on: 101 and 1,002
// VNets always, 2,505 and 10,020 with VNETSIM_BENCH_LARGE=1.
func scaleSizes() []scaleSize {
	sizes := []scaleSize{{1, 100}, {2, 500}}
	if os.Getenv("VNETSIM_BENCH_LARGE") == "1" {
		sizes = append(sizes, scaleSize{5, 500}, scaleSize{20, 500})
	}
	return sizes
}

// eachScale runs bench once per estate size, with allocations reported.
func eachScale(b *testing.B, bench func(b *testing.B, n *topology.Network)) {
	for _, s := range scaleSizes() {
		n := s.estate()
		b.Run(s.String(), func(b *testing.B) {
			b.ReportAllocs()
			bench(b, n)
		})
	}
}

// BenchmarkScaleLoad is load and validate: topology.Check on the estate's
// YAML, as `vnetsim validate` and every command that reads a file pay.
func BenchmarkScaleLoad(b *testing.B) {
	eachScale(b, func(b *testing.B, n *topology.Network) {
		data, err := topology.Marshal(n)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
		var peak uint64
		for b.Loop() {
			got, _, ds := topology.Check("estate.yaml", data)
			if got == nil || ds.HasErrors() {
				b.Fatalf("generated estate does not check clean: %d diagnostics", len(ds))
			}
			peak = max(peak, heapInUse())
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
}

// BenchmarkScaleLint is the engine's lints (sim.Lint), which every command
// that reads a file runs after topology.Check.
func BenchmarkScaleLint(b *testing.B) {
	eachScale(b, func(b *testing.B, n *topology.Network) {
		for b.Loop() {
			if ds := Lint(n); len(ds) > 0 {
				b.Fatalf("generated estate has %d lint findings", len(ds))
			}
		}
	})
}

// heapInUse returns the bytes of heap in use now; sampled after a stage,
// while its result is still reachable, it bounds the stage's live memory.
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkScaleNew is building an engine, which every command and every
// scenario step pays once per network state.
func BenchmarkScaleNew(b *testing.B) {
	eachScale(b, func(b *testing.B, n *topology.Network) {
		for b.Loop() {
			New(n)
		}
	})
}

// BenchmarkScaleReach is subnet-level reach over every pair of subnets,
// summarised, over TCP 443, on a fresh engine (as `vnetsim reach --level
// subnet --summary` runs it).
func BenchmarkScaleReach(b *testing.B) { scaleReach(b, LevelSubnet) }

// BenchmarkScaleReachVNets is BenchmarkScaleReach at VNet level, the
// contract's default level for `vnetsim reach --summary`.
func BenchmarkScaleReachVNets(b *testing.B) { scaleReach(b, LevelVNet) }

// scaleReach summarises every pair at level over TCP 443.
func scaleReach(b *testing.B, level Level) {
	opts := ReachOptions{Level: level, Protocol: topology.TCP,
		Ports: []topology.PortRange{{Lo: 443, Hi: 443}}, Summary: true}
	eachScale(b, func(b *testing.B, n *topology.Network) {
		var r *Reach
		var peak uint64
		for b.Loop() {
			r = New(n).Reach(opts)
			peak = max(peak, heapInUse())
		}
		b.ReportMetric(float64(r.Counts.All+r.Counts.Some+r.Counts.None), "pairs")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
}

// BenchmarkScaleTrace is one spoke-to-spoke trace across two hubs'
// appliances (or through one hub's when there is one), on a warm engine.
func BenchmarkScaleTrace(b *testing.B) {
	eachScale(b, func(b *testing.B, n *topology.Network) {
		e := New(n)
		f := scaleFlow(b, e, n)
		for b.Loop() {
			e.Trace(f)
		}
	})
}

// scaleFlow returns a delivered flow from the first spoke's VM to the last
// hub's last spoke's VM.
func scaleFlow(b *testing.B, e *Engine, n *topology.Network) Flow {
	b.Helper()
	vnets := e.sortedVNets()
	last := vnets[len(vnets)-1] // spokes sort after hubs
	to := last.SortedVirtualMachines()[1].Name
	f, err := e.NewFlow("vm00-000-a", to, topology.TCP, 443)
	if err != nil {
		b.Fatal(err)
	}
	if tr := e.Trace(f); tr.Result != Delivered {
		b.Fatalf("benchmark flow %s→%s is %s %s: %s", f.From, f.To, tr.Result, tr.Reason, tr.Explanation)
	}
	return f
}

// BenchmarkScaleEvent is one event applied to the estate, then an engine
// for the new network state, then a trace on it: what a scenario step or an
// interactive what-if pays.
func BenchmarkScaleEvent(b *testing.B) {
	eachScale(b, func(b *testing.B, n *topology.Network) {
		f := scaleFlow(b, New(n), n)
		// Deny TCP 443 from the first spoke on the last spoke's ACL: the
		// flow must change fate, so a stale engine would be caught.
		ev := AddACLRule{AccessControlList: fmt.Sprintf("acl-hub%02d-spokes", len(n.OnPremises)-1), Rule: topology.ACLRule{
			Name: "deny-https", Priority: 150, Type: topology.Inbound, Action: topology.Deny, Protocol: topology.TCP,
			SourceAddressPrefixes:      []topology.AddressMatch{{Prefix: netip.PrefixFrom(f.Src, 32)}},
			DestinationAddressPrefixes: []topology.AddressMatch{topology.AnyAddress},
			SourcePortRanges:           []topology.PortRange{topology.AnyPort}, DestinationPortRanges: []topology.PortRange{{Lo: 443, Hi: 443}},
		}}
		for b.Loop() {
			next, ref := Apply(n, ev)
			if ref != nil {
				b.Fatal(ref)
			}
			if tr := New(next).Trace(f); tr.Result != Dropped {
				b.Fatalf("after the event the flow is %s, want dropped", tr.Result)
			}
		}
	})
}

// BenchmarkScaleReachNaive is the baseline BenchmarkScaleReach is measured
// against: one full trace per subnet pair (first host to first host, TCP
// 443), no classes, groups or memo. It runs only on the smallest estate;
// on the others it would take minutes to hours.
func BenchmarkScaleReachNaive(b *testing.B) {
	s := scaleSizes()[0]
	n := s.estate()
	b.Run(s.String(), func(b *testing.B) {
		b.ReportAllocs()
		var counts ReachCounts
		for b.Loop() {
			counts = naiveReach(New(n))
		}
		b.ReportMetric(float64(counts.All+counts.None), "pairs")
	})
}

// naiveReach traces one packet per ordered pair of distinct subnets and
// counts the delivered ones as all, the rest as none.
func naiveReach(e *Engine) ReachCounts {
	var counts ReachCounts
	units := e.units(LevelSubnet, nil)
	for _, from := range units {
		src := e.firstHost(from.subnets[0].AddressPrefix)
		for _, to := range units {
			if to.name == from.name {
				continue
			}
			f := Flow{From: from.name, To: to.name, Src: src, Dst: e.firstHost(to.subnets[0].AddressPrefix),
				Protocol: topology.TCP, Port: 443, DstSubnet: to.name}
			if e.Trace(f).Result == Delivered {
				counts.All++
			} else {
				counts.None++
			}
		}
	}
	return counts
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
	s := scaleSizes()[0]
	n := s.estate()
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
		before, afterIn := DiffInput{Network: n}, DiffInput{Network: after}
		var res *DiffResult
		for b.Loop() {
			var err error
			if res, err = Diff(before, afterIn, DiffOptions{}); err != nil {
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
	if os.Getenv("VNETSIM_BENCH_LARGE") == "1" {
		hubs = append(hubs, 20)
	}
	for _, h := range hubs {
		before, after := benchEstates(h, "forwarding")
		bin, ain := DiffInput{Network: before}, DiffInput{Network: after}
		for _, impact := range []bool{true, false} {
			b.Run(fmt.Sprintf("vnets=%d/impact=%t", h*501, impact), func(b *testing.B) {
				b.ReportAllocs()
				var res *DiffResult
				var peak uint64
				for b.Loop() {
					var err error
					if res, err = Diff(bin, ain, DiffOptions{NoImpact: !impact}); err != nil {
						b.Fatal(err)
					}
					peak = max(peak, heapInUse())
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
