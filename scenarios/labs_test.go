package scenarios

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// failures describes every failed event and check of a result, for test
// messages.
func failures(r ScenarioResult) string {
	var b strings.Builder
	for _, d := range r.Diagnostics {
		fmt.Fprintf(&b, "  %s: %s [%s]\n", d.Subject, d.Message(), d.Code)
	}
	for _, st := range r.Steps {
		if st.Passed {
			continue
		}
		fmt.Fprintf(&b, "  step %q:\n", st.Name)
		for _, e := range st.Events {
			if !e.Accepted {
				fmt.Fprintf(&b, "    line %d %s refused [%s]: %s\n", e.Line, e.Event, e.Code, e.Message)
			}
		}
		for _, c := range st.Checks {
			if !c.Passed {
				fmt.Fprintf(&b, "    line %d %s: %s (expected %v, actual %v)\n", c.Line, c.Target, c.Message, c.Expected, c.Actual)
			}
		}
	}
	return b.String()
}

// TestLabsAsShipped runs every built-in lab: each passes with a full score,
// except troubleshoot, whose estate is broken until the learner fixes it.
func TestLabsAsShipped(t *testing.T) {
	labs := Labs()
	if len(labs) != len(labNames()) {
		t.Errorf("Labs() lists %d labs, the embedded folder holds %d", len(labs), len(labNames()))
	}
	for _, name := range labNames() {
		t.Run(name, func(t *testing.T) {
			sc, err := LoadLab(name)
			if err != nil {
				t.Fatal(err)
			}
			res := Run(context.Background(), sc, Options{})
			wantPass := name != "troubleshoot"
			if res.Passed != wantPass {
				t.Errorf("passed = %v, want %v:\n%s", res.Passed, wantPass, failures(res))
			}
			if wantPass && res.Score != res.MaxScore {
				t.Errorf("score %d/%d, want full marks", res.Score, res.MaxScore)
			}
			if res.MaxScore == 0 {
				t.Errorf("the lab grades nothing")
			}
			if res.Path != "lab:"+name || res.Description == "" || sc.Name == "" {
				t.Errorf("path %q, title %q, description %q: want lab:%s and a title and description", res.Path, sc.Name, res.Description, name)
			}
		})
	}
}

// TestTroubleshootFixedByLearner exports the troubleshoot lab, fixes
// topology.yaml the way a learner would (by editing its text), and runs the
// exported scenario: it fails before the fix and passes with full marks
// after.
func TestTroubleshootFixedByLearner(t *testing.T) {
	dir := t.TempDir()
	files, err := LabFiles("troubleshoot")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func() ScenarioResult {
		t.Helper()
		res, err := RunFiles(context.Background(), []string{filepath.Join(dir, "scenario.yaml")}, Options{})
		if err != nil || len(res.Scenarios) != 1 {
			t.Fatalf("RunFiles: %v, %d scenarios", err, len(res.Scenarios))
		}
		return res.Scenarios[0]
	}
	before := run()
	if before.Passed || before.Score >= before.MaxScore {
		t.Fatalf("the exported lab passes before any fix (score %d/%d)", before.Score, before.MaxScore)
	}

	topo := filepath.Join(dir, "topology.yaml")
	text := readT(t, topo)
	for _, fix := range []struct{ why, old, new string }{
		{"the appliance must forward", "ipForwarding: false", "ipForwarding: true"},
		{"spoke1 must accept what nva1 forwards", "spoke1-to-hub: {remoteVirtualNetwork: hub}",
			"spoke1-to-hub: {remoteVirtualNetwork: hub, allowForwardedTraffic: true}"},
		{"spoke2 needs its side of the peering", "      app2: {subnet: app, ipAddress: 10.2.1.4}\n",
			"      app2: {subnet: app, ipAddress: 10.2.1.4}\n    peerings:\n      spoke2-to-hub: {remoteVirtualNetwork: hub, allowForwardedTraffic: true}\n"},
		{"an appliance route needs its address", "        addressPrefix: 192.168.0.0/16\n        nextHopType: VirtualAppliance\n",
			"        addressPrefix: 192.168.0.0/16\n        nextHopType: VirtualAppliance\n        nextHopIpAddress: 10.0.2.4\n"},
	} {
		if n := strings.Count(text, fix.old); n != 1 {
			t.Fatalf("fix %q: %q occurs %d times, want once", fix.why, fix.old, n)
		}
		text = strings.Replace(text, fix.old, fix.new, 1)
	}
	if err := os.WriteFile(topo, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	after := run()
	if !after.Passed || after.Score != after.MaxScore {
		t.Fatalf("after the fixes: passed %v, score %d/%d:\n%s", after.Passed, after.Score, after.MaxScore, failures(after))
	}
	if after.MaxScore != before.MaxScore {
		t.Errorf("max score changed from %d to %d", before.MaxScore, after.MaxScore)
	}
}

func readT(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLabFiles: every file of the lab, in name order, as embedded; an
// unknown lab is ErrUnknownLab, even one named like a path.
func TestLabFiles(t *testing.T) {
	files, err := LabFiles("peering-basics")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if want := []string{"scenario.yaml", "topology.yaml"}; !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
	embedded, _ := labFS.ReadFile("labs/peering-basics/scenario.yaml")
	if string(files[0].Data) != string(embedded) {
		t.Errorf("scenario.yaml differs from the embedded one")
	}
	if _, err := LabFiles("../etc"); !errors.Is(err, ErrUnknownLab) {
		t.Errorf("unknown lab: err = %v, want ErrUnknownLab", err)
	}
}
