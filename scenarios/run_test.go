package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// summarize prints a scenario result in a stable, reviewable form.
func summarize(r ScenarioResult, dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %q passed=%v score=%d/%d\n", r.Name, r.Passed, r.Score, r.MaxScore)
	if len(r.Hints) > 0 {
		fmt.Fprintf(&b, "  hints %q\n", r.Hints)
	}
	b.WriteString(formatDiags(dir, r.Diagnostics))
	for _, st := range r.Steps {
		fmt.Fprintf(&b, "  step %q passed=%v\n", st.Name, st.Passed)
		if len(st.Hints) > 0 {
			fmt.Fprintf(&b, "    hints %q\n", st.Hints)
		}
		for _, e := range st.Events {
			fmt.Fprintf(&b, "    event line %d %s accepted=%v", e.Line, e.Event, e.Accepted)
			if !e.Accepted {
				fmt.Fprintf(&b, " code=%s: %s", e.Code, e.Message)
			}
			b.WriteByte('\n')
		}
		for _, c := range st.Checks {
			exp, _ := json.Marshal(c.Expected)
			act, _ := json.Marshal(c.Actual)
			fmt.Fprintf(&b, "    check line %d %s passed=%v %s\n      expected %s\n      actual   %s\n", c.Line, c.Kind, c.Passed, c.Target, exp, act)
			if c.Message != "" {
				fmt.Fprintf(&b, "      message  %s\n", c.Message)
			}
			if (c.Kind == "trace") != (c.Trace != nil || strings.Contains(c.Message, "endpoint")) {
				fmt.Fprintf(&b, "      (trace check without its observed trace)\n")
			}
		}
	}
	return b.String()
}

// TestRunGolden runs each testdata/run/*.txtar scenario and compares a
// summary of its result with want.txt.
func TestRunGolden(t *testing.T) {
	eachFixture(t, "run", func(t *testing.T, f fixture, sc *Scenario, ds diag.Diagnostics) {
		if sc == nil {
			t.Fatalf("parse: %v", ds.Err())
		}
		f.check(t, summarize(Run(context.Background(), sc, Options{}), f.dir))
	})
}

// TestRunFiles runs a folder: its scenarios in name order, its topology
// files skipped, a broken scenario reported as a failed result.
func TestRunFiles(t *testing.T) {
	f := loadFixture(t, "testdata/folder.txtar")
	res, err := RunFiles(context.Background(), []string{f.dir, filepath.Join(f.dir, "b-second.yaml")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range res.Scenarios {
		got = append(got, fmt.Sprintf("%s %s passed=%v diags=%d", filepath.Base(s.Path), s.Name, s.Passed, len(s.Diagnostics)))
	}
	want := []string{
		"a-first.yaml first passed=true diags=0",
		"b-second.yaml second passed=false diags=0",
		"c-broken.yaml " + filepath.Join(f.dir, "c-broken.yaml") + " passed=false diags=1",
		"d-syntax.yaml " + filepath.Join(f.dir, "d-syntax.yaml") + " passed=false diags=1",
		"e-misspelled.yaml " + filepath.Join(f.dir, "e-misspelled.yaml") + " passed=false diags=1",
		"f-near-miss.yaml " + filepath.Join(f.dir, "f-near-miss.yaml") + " passed=false diags=2",
		"g-no-steps.yaml " + filepath.Join(f.dir, "g-no-steps.yaml") + " passed=false diags=2",
		"b-second.yaml second passed=false diags=0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scenarios run (-want +got):\n%s", diff)
	}
	if res.Passed() {
		t.Error("Result.Passed with failed scenarios")
	}
	if _, err := RunFiles(context.Background(), []string{filepath.Join(f.dir, "missing.yaml")}, Options{}); err == nil {
		t.Error("a path that does not exist ran without error")
	}
	// A folder without scenarios is an error, not an empty run that passes.
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "topo.yaml"), []byte("name: t\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := RunFiles(context.Background(), []string{empty}, Options{}); err == nil || !strings.Contains(err.Error(), "no scenario files") {
		t.Errorf("a folder without scenarios ran: %v", err)
	}
}

// TestRunFilesUnreadable: a scenario named directly that cannot be read is
// an error, returned before any scenario runs (the command exits 2, as for a
// missing file); one found in a folder is a failed scenario, so that the run
// goes on with the others.
func TestRunFilesUnreadable(t *testing.T) {
	f := loadFixture(t, "testdata/folder.txtar")
	unreadable := filepath.Join(f.dir, "b-second.yaml")
	var ran []string
	read := func(name string) ([]byte, error) {
		if name == unreadable {
			return nil, errors.New("not a regular file but a named pipe (FIFO)")
		}
		ran = append(ran, name)
		return os.ReadFile(name)
	}
	_, err := RunFiles(context.Background(), []string{filepath.Join(f.dir, "a-first.yaml"), unreadable}, Options{ReadFile: read})
	if err == nil || !strings.Contains(err.Error(), "cannot read "+unreadable+": not a regular file") {
		t.Errorf("a named file that cannot be read: %v, want an error", err)
	}
	if len(ran) > 1 {
		t.Errorf("read %q before refusing the run; only the scenario files themselves should be", ran)
	}
	res, err := RunFiles(context.Background(), []string{f.dir}, Options{ReadFile: read})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(res.Scenarios, func(s ScenarioResult) bool { return s.Path == unreadable })
	if i < 0 || res.Scenarios[i].Passed || len(res.Scenarios[i].Diagnostics) != 1 {
		t.Errorf("a file in a folder that cannot be read is not a failed scenario: %+v", res.Scenarios)
	}
}

// TestRunCancelled stops before the first step when ctx is done.
func TestRunCancelled(t *testing.T) {
	sc, ds := ParseFile("testdata/chain-basic.yaml")
	if sc == nil {
		t.Fatal(ds.Err())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := Run(ctx, sc, Options{})
	if r.Passed || len(r.Steps) != 0 || len(r.Diagnostics) != 1 {
		t.Errorf("cancelled run: passed %v, %d steps, %d diagnostics; want failed, 0, 1", r.Passed, len(r.Steps), len(r.Diagnostics))
	}
}

// Which YAML files in a folder are run as scenarios: a broken scenario is
// reported, not skipped; topologies and other tools' files are skipped.
func TestLooksLikeScenario(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       bool
	}{
		{"a scenario", "name: s\ntopology: t.yaml\nsteps: []\n", true},
		{"steps misspelled, topology given", "name: s\ntopology: t.yaml\nsetps: []\n", true},
		{"steps misspelled alone", "name: s\nstesp: []\n", true},
		{"Steps capitalised", "Steps: []\n", true},
		{"topology misspelled", "topolgy: t.yaml\n", true},
		{"name and description only", "name: s\ndescription: d\n", true},
		{"not YAML", "name: [\n", true},
		{"a topology", "name: t\nvirtualNetworks: {}\n", false},
		{"a topology with a name alone", "name: t\n", false},
		{"a GitHub Action's metadata", "name: a\ndescription: d\nruns: {using: node20}\n", false},
		{"a CI file", "stages: [build]\njobs: {}\n", false},
		{"a list", "- a\n- b\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := looksLikeScenario([]byte(tc.yaml)); got != tc.want {
				t.Errorf("looksLikeScenario = %v, want %v", got, tc.want)
			}
		})
	}
}
