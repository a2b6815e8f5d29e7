package scenarios

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vnetsim/vnetsim/sim/diff"
	"github.com/vnetsim/vnetsim/topology"
)

// FromPlan's scenario, written next to a before-file in another folder,
// names it relatively, replays the plan step by step and ends expecting
// the after-file's peerings, reachability and validity: it runs green.
func TestFromPlanRuns(t *testing.T) {
	const before = `name: t
virtualNetworks:
  hub:
    addressSpace: [10.0.0.0/16]
    subnets: {shared: {addressPrefix: 10.0.1.0/24}}
    peerings: {hub-to-spoke: {remoteVirtualNetwork: spoke}}
  spoke:
    addressSpace: [10.1.0.0/16]
    subnets: {app: {addressPrefix: 10.1.1.0/24}}
    peerings: {spoke-to-hub: {remoteVirtualNetwork: hub}}
`
	const after = `name: t
virtualNetworks:
  hub:
    addressSpace: [10.0.0.0/16]
    subnets: {shared: {addressPrefix: 10.0.1.0/24}}
    peerings: {hub-to-spoke: {remoteVirtualNetwork: spoke}}
  spoke:
    addressSpace: [10.1.0.0/16, 10.2.0.0/16]
    subnets: {app: {addressPrefix: 10.1.1.0/24}, new: {addressPrefix: 10.2.1.0/24}}
    peerings: {spoke-to-hub: {remoteVirtualNetwork: hub}}
`
	dir := t.TempDir()
	bpath := filepath.Join(dir, "estate", "before.yaml")
	if err := os.MkdirAll(filepath.Dir(bpath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bpath, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	input := func(name, text string) diff.Input {
		n, sm, ds := topology.Check(name, []byte(text))
		return diff.Input{Network: n, Source: sm, Diagnostics: ds}
	}
	res, err := diff.Compare(input(bpath, before), input("after.yaml", after), diff.Options{NoImpact: true})
	if err != nil || !res.Plan.Verified {
		t.Fatalf("diff: %v, plan verified %t", err, res.Plan.Verified)
	}
	spath := filepath.Join(dir, "review", "plan.yaml")
	sc, err := FromPlan(res, spath)
	if err != nil {
		t.Fatal(err)
	}
	if sc.TopologyPath != "../estate/before.yaml" {
		t.Errorf("topology path %q, want ../estate/before.yaml", sc.TopologyPath)
	}
	if got, want := len(sc.Steps), len(res.Plan.Steps)+1; got != want {
		t.Errorf("%d steps, want one per plan step and a last one: %d", got, want)
	}
	kinds := map[string]int{}
	for _, c := range sc.Steps[len(sc.Steps)-1].Expect {
		kinds[c.Expectation.Kind()]++
	}
	if kinds["peering"] != 2 || kinds["reach"] == 0 || kinds["valid"] != 1 {
		t.Errorf("the last step expects %v, want both peerings, reach pairs and valid", kinds)
	}
	data, err := Encode(sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(spath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	parsed, ds := ParseFile(spath)
	if parsed == nil {
		t.Fatalf("the scenario does not parse: %v", ds)
	}
	if r := Run(context.Background(), parsed, Options{}); !r.Passed {
		t.Errorf("the plan's scenario fails:\n%s", summarize(r, dir))
	}
}
