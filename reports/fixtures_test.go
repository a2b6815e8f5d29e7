package reports

import (
	"bytes"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/NAME.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		i := 0
		for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
			i++
		}
		line := func(ls []string) string {
			if i < len(ls) {
				return ls[i]
			}
			return "(end of file)"
		}
		t.Errorf("%s differs at line %d (run go test ./reports -update and review git diff):\nwant %q\ngot  %q", path, i+1, line(wl), line(gl))
	}
}

// render runs a renderer into a buffer twice and fails unless both runs
// give the same bytes: every report must be deterministic.
func render(t *testing.T, f func(w *bytes.Buffer) error) []byte {
	t.Helper()
	var a, b bytes.Buffer
	if err := f(&a); err != nil {
		t.Fatal(err)
	}
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("two renders of one input differ:\n%s\n---\n%s", a.Bytes(), b.Bytes())
	}
	return a.Bytes()
}

func at(file string, line, col int) diag.Range {
	return diag.Range{Filename: file, Start: diag.Pos{Line: line, Column: col}, End: diag.Pos{Line: line, Column: col}}
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

// validateFiles is the fixed input of every validate format: an error with
// a fix and a related location, a warning, an unlocated error, a message
// that needs escaping in GitHub annotations, and a clean file.
func validateFiles() []File {
	src := []byte("name: overlap\nvirtualNetworks:\n  hub:\n    addressSpace: [10.0.0.0/16]\n    peerings:\n      hub-to-spoke: {remoteVirtualNetwork: spoke}\n  spoke:\n\taddressSpace: [10.0.0.0/24]\n")
	return []File{
		{Path: "overlap.yaml", Source: src, Diagnostics: diag.Diagnostics{
			{Severity: diag.Error, Code: diag.PeeringAddressOverlap,
				Summary: "peering hub-to-spoke: address space 10.0.0.0/24 of spoke overlaps 10.0.0.0/16 of hub",
				Detail:  "peered VNets must not overlap; change one address space or remove the peering",
				Path:    diag.P("virtualNetworks", "hub", "peerings", "hub-to-spoke"), Subject: at("overlap.yaml", 6, 7),
				Related: []diag.Related{{Path: diag.P("virtualNetworks", "spoke", "addressSpace"), Subject: at("overlap.yaml", 8, 16), Message: "spoke's address space"}}},
			{Severity: diag.Warning, Code: diag.PeeringNotConnected,
				Summary: "peering hub-to-spoke: Initiated; create peering from spoke to hub",
				Path:    diag.P("virtualNetworks", "hub", "peerings", "hub-to-spoke"), Subject: at("overlap.yaml", 6, 7)},
			{Severity: diag.Error, Code: diag.MissingField, Summary: "virtual network spoke: missing subnets, 100% required: add one, or two",
				Path: diag.P("virtualNetworks", "spoke")},
		}},
		{Path: "clean.yaml", Source: []byte("name: clean\n")},
	}
}

// traceFixture is a packet dropped by an ACL after an appliance hop.
func traceFixture() *sim.Trace {
	return &sim.Trace{
		Flow:   sim.Flow{From: "app2", To: "app1", Src: addr("10.2.1.4"), Dst: addr("10.1.1.4"), Protocol: topology.TCP, Port: 22},
		Result: sim.Dropped, Reason: sim.ACLDenied,
		Explanation: "app-acl/deny-spoke2-ssh (priority 200) denies TCP 22 from 10.2.0.0/16: remove the rule or use another port",
		Hops: []sim.Hop{
			{Node: "app2", VirtualNetwork: "spoke2", Subnet: "app", Steps: []sim.Step{
				{Kind: sim.StepACL, Detail: "outbound: no ACL, allowed"},
				{Kind: sim.StepRoute, Detail: "10.0.0.0/8 via VirtualAppliance 10.0.2.4 (rt-spoke/to-hub-nva)"},
				{Kind: sim.StepPeering, Detail: "spoke2-to-hub and hub-to-spoke2 Connected"}}},
			{Node: "nva1", VirtualNetwork: "hub", Subnet: "nva", Steps: []sim.Step{
				{Kind: sim.StepForward, Detail: "nva1 forwards (ipForwarding)"},
				{Kind: sim.StepRoute, Detail: "10.1.0.0/16 via VNetPeering"},
				{Kind: sim.StepPeering, Detail: "spoke1-to-hub allows forwarded traffic"}}},
			{Node: "app1", VirtualNetwork: "spoke1", Subnet: "app", Steps: []sim.Step{
				{Kind: sim.StepACL, Detail: "inbound: app-acl/deny-spoke2-ssh (priority 200) denies"},
				{Kind: sim.StepDrop, Detail: "acl-denied"}}},
		},
	}
}

// runFixture is two scenarios: one that passes, one with a refused event
// and a failed trace expectation.
func runFixture() *scenarios.Result {
	return &scenarios.Result{Scenarios: []scenarios.ScenarioResult{
		{Name: "Peering is not transitive", Path: "lab:non-transitive", Description: "A-B and B-C are peered; A cannot reach C.",
			Passed: true, Score: 2, MaxScore: 2, Steps: []scenarios.StepResult{
				{Name: "peer A with B", Passed: true,
					Events: []scenarios.EventResult{{Event: "createPeering", Accepted: true, Line: 7}},
					Checks: []scenarios.CheckResult{
						{Kind: "peering", Passed: true, Line: 9, Expected: map[string]any{"state": "Initiated"}, Actual: map[string]any{"state": "Initiated", "syncLevel": "FullyInSync"}},
						{Kind: "trace", Passed: true, Line: 10, Expected: map[string]any{"result": "dropped", "reason": "peering-not-connected"}, Actual: map[string]any{"result": "dropped", "reason": "peering-not-connected", "via": []string{"a1"}}},
					}},
			}},
		{Name: "ACLs <across> peerings", Path: "acls.yaml", Passed: false, Score: 1, MaxScore: 3, Steps: []scenarios.StepResult{
			{Name: "widen the hub", Passed: false,
				Events: []scenarios.EventResult{{Event: "addAddressPrefix", Accepted: false, Code: diag.AddressSpaceLocked, Message: "hub owns peerings; remove them first", Line: 12}}},
			{Name: "ssh from spoke2", Passed: false, Hints: []string{"Look at the ACL on spoke1/app."},
				Checks: []scenarios.CheckResult{
					{Kind: "valid", Passed: true, Line: 20, Expected: map[string]any{}, Actual: map[string]any{"errors": []string{}, "warnings": []string{}}},
					{Kind: "trace", Passed: false, Line: 21, Message: "expected delivered, got dropped [acl-denied]",
						Expected: map[string]any{"result": "delivered"},
						Actual:   map[string]any{"result": "dropped", "reason": "acl-denied", "via": []string{"app2", "nva1", "app1"}},
						Trace:    traceFixture()},
				}},
		}},
	}}
}

// loadDiagram loads testdata/diagram.yaml, failing on any error.
func loadDiagram(t testing.TB) *topology.Network {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "diagram.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	n, _, ds := topology.Load("diagram.yaml", data)
	if n == nil || ds.HasErrors() {
		t.Fatalf("diagram.yaml does not load: %v", ds.Err())
	}
	return n
}
