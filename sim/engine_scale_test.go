package sim

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology"
)

// A fresh engine resolves its first names by scanning the VNets and later
// ones from the name index; both must give the same endpoints, the same
// ambiguity errors and the same candidate order.
func TestResolveByScanMatchesIndex(t *testing.T) {
	n := topology.Generate(topology.GenerateOptions{Hubs: 2, Spokes: 3})
	// A second VM named like another VNet's makes a name ambiguous.
	dup := *n.VirtualNetworks["spoke00-000"].VirtualMachines["vm00-000-a"]
	dup.Subnet = n.VirtualNetworks["spoke01-002"].Subnets["s0"]
	n.VirtualNetworks["spoke01-002"].VirtualMachines[dup.Name] = &dup
	names := []string{"vm00-000-a", "vm01-002-b", "nva-01", "op00", "op01", "spoke00-001/s2", "10.0.0.5", "nowhere"}
	indexed := New(n)
	indexed.names()
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			scanned := New(n) // a fresh engine scans its first few names
			got, gotErr := scanned.Resolve(name)
			want, wantErr := indexed.Resolve(name)
			if scanned.namesBuilt.Load() {
				t.Fatal("one lookup built the name index")
			}
			if diff := cmp.Diff(want, got, netipEqual); diff != "" {
				t.Errorf("scan and index resolve differently (-index +scan):\n%s", diff)
			}
			if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
				t.Errorf("errors differ: scan %v, index %v", gotErr, wantErr)
			}
		})
	}
	e := New(n)
	for range nameScans + 1 {
		e.Resolve("vm00-000-b")
	}
	if !e.namesBuilt.Load() {
		t.Errorf("%d lookups did not build the name index", nameScans+1)
	}
}

// An engine indexes only the VNets a trace reads: the source, its hub and
// the destination, not the estate.
func TestTraceIndexesOnlyWhatItReads(t *testing.T) {
	n := topology.Generate(topology.GenerateOptions{Hubs: 2, Spokes: 20})
	e := New(n)
	f := Flow{From: "vm00-000-a", To: "vm01-019-b", Src: n.VirtualNetworks["spoke00-000"].VirtualMachines["vm00-000-a"].IPAddress,
		Dst: n.VirtualNetworks["spoke01-019"].VirtualMachines["vm01-019-b"].IPAddress, Protocol: topology.TCP, Port: 443}
	if tr := e.Trace(f); tr.Result != Delivered {
		t.Fatalf("flow is %s %s: %s", tr.Result, tr.Reason, tr.Explanation)
	}
	indexed := 0
	e.perVNet.Range(func(any, any) bool { indexed++; return true })
	if indexed > 6 || e.full.Load() {
		t.Errorf("one trace indexed %d of %d VNets (full %v)", indexed, len(n.VirtualNetworks), e.full.Load())
	}
}
