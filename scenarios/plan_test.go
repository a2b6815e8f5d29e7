package scenarios

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/vnetsim/vnetsim/sim/diff"
	"github.com/vnetsim/vnetsim/topology"
)

// FromPlan's scenario of a diff case, written in another folder than the
// before-file, names it relatively, replays the plan step by step and ends
// expecting the after-file's peerings, reachability and validity: it runs
// green.
func TestFromPlanRuns(t *testing.T) {
	ar, err := txtar.ParseFile(filepath.Join("..", "sim", "diff", "testdata", "address-locked.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range ar.Files {
		files[f.Name] = f.Data
	}
	before, after := string(files["before.yaml"]), string(files["after.yaml"])
	dir := t.TempDir()
	write := func(path string, data []byte) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bpath := filepath.Join(dir, "estate", "before.yaml")
	write(bpath, []byte(before))
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
	write(spath, data)
	parsed, ds := ParseFile(spath)
	if parsed == nil {
		t.Fatalf("the scenario does not parse: %v", ds)
	}
	if r := Run(context.Background(), parsed, Options{}); !r.Passed {
		t.Errorf("the plan's scenario fails:\n%s", summarize(r, dir))
	}
}
