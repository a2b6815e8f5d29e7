// Package simtest holds what the tests of sim, sim/event and sim/diff
// share: loading a topology, golden files under -update, and the generated
// estates the scale benchmarks run on. It is used by tests only.
package simtest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology"
)

// update is the -update flag of every package whose tests import simtest.
var update = flag.Bool("update", false, "rewrite golden files")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Golden compares got with the file at path or, with -update, rewrites
// the file; read the diff of testdata like code before committing it.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// Load loads a topology from its text, failing the test on an error.
func Load(t testing.TB, text string) *topology.Network {
	t.Helper()
	n, _, ds := topology.Load("test.yaml", []byte(text))
	if n == nil || ds.HasErrors() {
		t.Fatalf("load: %v", ds.Err())
	}
	return n
}

// LoadFile loads a topology file, failing the test on an error.
func LoadFile(t testing.TB, path string) *topology.Network {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Load(t, string(data))
}

// Scale benchmarks (issue 7) measure every stage on generated estates from
// about 100 to 10,000 VNets: hubs meshed with each other, spokes of four
// subnets and two VMs, user routes through each hub's appliance, ACLs on
// every spoke and gateway transit from every hub (topology.Generate). The
// larger estates take seconds per stage to build and measure, so they run
// only with VNETSIM_BENCH_LARGE=1; `make bench` stays quick.

// Size is one generated estate.
type Size struct{ Hubs, Spokes int }

// VNets returns the number of VNets the size generates.
func (s Size) VNets() int { return s.Hubs * (s.Spokes + 1) }

// String names the size as benchmarks do, vnets=N.
func (s Size) String() string { return fmt.Sprintf("vnets=%d", s.VNets()) }

// Estate generates the estate of s.
func (s Size) Estate() *topology.Network {
	return topology.Generate(topology.GenerateOptions{Hubs: s.Hubs, Spokes: s.Spokes})
}

// Sizes lists the estates the scale benchmarks run on: 101 and 1,002
// VNets always, 2,505 and 10,020 with VNETSIM_BENCH_LARGE=1.
func Sizes() []Size {
	sizes := []Size{{1, 100}, {2, 500}}
	if Large() {
		sizes = append(sizes, Size{5, 500}, Size{20, 500})
	}
	return sizes
}

// Large reports whether VNETSIM_BENCH_LARGE=1 asks for the large estates.
func Large() bool { return os.Getenv("VNETSIM_BENCH_LARGE") == "1" }

// EachScale runs bench once per estate size, with allocations reported.
func EachScale(b *testing.B, bench func(b *testing.B, n *topology.Network)) {
	for _, s := range Sizes() {
		n := s.Estate()
		b.Run(s.String(), func(b *testing.B) {
			b.ReportAllocs()
			bench(b, n)
		})
	}
}

// HeapInUse returns the bytes of heap in use now; sampled after a stage,
// while its result is still reachable, it bounds the stage's live memory.
func HeapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// ScaleFlow names the endpoints of the flow the scale benchmarks trace on
// a generated estate: the first spoke's first VM and the last hub's last
// spoke's second VM, which reach each other over TCP 443.
func ScaleFlow(n *topology.Network) (from, to string) {
	vnets := n.SortedVirtualNetworks()
	last := vnets[len(vnets)-1] // spokes sort after hubs
	return "vm00-000-a", last.SortedVirtualMachines()[1].Name
}
