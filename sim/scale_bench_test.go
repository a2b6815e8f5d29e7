package sim

import (
	"testing"

	"github.com/vnetsim/vnetsim/internal/simtest"
	"github.com/vnetsim/vnetsim/topology"
)

// Scale benchmarks (issue 7) measure every stage on generated estates
// from about 100 to 10,000 VNets (simtest.Sizes); events and diffs have
// theirs in sim/event and sim/diff.

// BenchmarkScaleLoad is load and validate: topology.Check on the estate's
// YAML, as `vnetsim validate` and every command that reads a file pay.
func BenchmarkScaleLoad(b *testing.B) {
	simtest.EachScale(b, func(b *testing.B, n *topology.Network) {
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
			peak = max(peak, simtest.HeapInUse())
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
}

// BenchmarkScaleLint is the engine's lints (sim.Lint), which every command
// that reads a file runs after topology.Check.
func BenchmarkScaleLint(b *testing.B) {
	simtest.EachScale(b, func(b *testing.B, n *topology.Network) {
		for b.Loop() {
			if ds := Lint(n); len(ds) > 0 {
				b.Fatalf("generated estate has %d lint findings", len(ds))
			}
		}
	})
}

// BenchmarkScaleNew is building an engine, which every command and every
// scenario step pays once per network state.
func BenchmarkScaleNew(b *testing.B) {
	simtest.EachScale(b, func(b *testing.B, n *topology.Network) {
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
	simtest.EachScale(b, func(b *testing.B, n *topology.Network) {
		var r *Reach
		var peak uint64
		for b.Loop() {
			r = New(n).Reach(opts)
			peak = max(peak, simtest.HeapInUse())
		}
		b.ReportMetric(float64(r.Counts.All+r.Counts.Some+r.Counts.None), "pairs")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
}

// BenchmarkScaleTrace is one spoke-to-spoke trace across two hubs'
// appliances (or through one hub's when there is one), on a warm engine.
func BenchmarkScaleTrace(b *testing.B) {
	simtest.EachScale(b, func(b *testing.B, n *topology.Network) {
		e := New(n)
		f := scaleFlow(b, e, n)
		for b.Loop() {
			e.Trace(f)
		}
	})
}

// scaleFlow returns the delivered flow of simtest.ScaleFlow.
func scaleFlow(b *testing.B, e *Engine, n *topology.Network) Flow {
	b.Helper()
	from, to := simtest.ScaleFlow(n)
	f, err := e.NewFlow(from, to, topology.TCP, 443)
	if err != nil {
		b.Fatal(err)
	}
	if tr := e.Trace(f); tr.Result != Delivered {
		b.Fatalf("benchmark flow %s→%s is %s %s: %s", f.From, f.To, tr.Result, tr.Reason, tr.Explanation)
	}
	return f
}

// BenchmarkScaleReachNaive is the baseline BenchmarkScaleReach is measured
// against: one full trace per subnet pair (first host to first host, TCP
// 443), no classes, groups or memo. It runs only on the smallest estate;
// on the others it would take minutes to hours.
func BenchmarkScaleReachNaive(b *testing.B) {
	s := simtest.Sizes()[0]
	n := s.Estate()
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
