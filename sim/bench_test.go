package sim

import (
	"testing"

	"github.com/vnetsim/vnetsim/topology"
)

// estate500 is the benchmark estate: one hub, 500 spokes of 4 subnets.
func estate500() *topology.Network {
	return topology.Generate(topology.GenerateOptions{Hubs: 1, Spokes: 500})
}

func BenchmarkNew(b *testing.B) {
	n := estate500()
	b.ReportAllocs()
	for b.Loop() {
		New(n)
	}
}

func BenchmarkTrace(b *testing.B) {
	e := New(estate500())
	f, err := e.NewFlow("vm00-000-a", "vm00-499-b", topology.TCP, 443)
	if err != nil {
		b.Fatal(err)
	}
	if tr := e.Trace(f); tr.Result != Delivered {
		b.Fatalf("benchmark flow is %s %s: %s", tr.Result, tr.Reason, tr.Explanation)
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Trace(f)
	}
}

func BenchmarkReach(b *testing.B) {
	n := estate500()
	for _, bc := range []struct {
		name string
		opts ReachOptions
	}{
		{"level=subnet/summary/tcp443", ReachOptions{Level: LevelSubnet, Protocol: topology.TCP, Ports: []topology.PortRange{{Lo: 443, Hi: 443}}, Summary: true}},
		{"level=vnet/summary/tcp443", ReachOptions{Level: LevelVNet, Protocol: topology.TCP, Ports: []topology.PortRange{{Lo: 443, Hi: 443}}, Summary: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				// A fresh engine each time: reach on a new network state is
				// what scenarios and diff pay.
				New(n).Reach(bc.opts)
			}
		})
	}
}

// BenchmarkTraceQuiet is the walk reach pays per class: no hops, steps or
// strings are recorded.
func BenchmarkTraceQuiet(b *testing.B) {
	e := New(estate500())
	f, err := e.NewFlow("spoke00-000/s0", "spoke00-499/s3", topology.TCP, 443)
	if err != nil {
		b.Fatal(err)
	}
	src, _ := e.Resolve("spoke00-000/s0")
	if tr := e.trace(f, src, true, nil); tr.Result != Delivered {
		b.Fatalf("benchmark flow is %s %s", tr.Result, tr.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		e.trace(f, src, true, nil)
	}
}
