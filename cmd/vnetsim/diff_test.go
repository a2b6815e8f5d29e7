package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/topology"
)

// runDiffArgs runs vnetsim diff ARGS in-process, as the binary would.
func runDiffArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return vnetsim(t, append([]string{"diff"}, args...)...)
}

// extractCase writes a sim/diff/testdata case's before.yaml and after.yaml
// into a fresh directory and returns it.
func extractCase(t *testing.T, name string) string {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("..", "..", "sim", "diff", "testdata", name+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDiffExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fixture string
		reverse bool
		args    []string
		want    int
	}{
		// Violations fail; a violation the plan resolves does not.
		{"forbidden edit", "address-locked", false, nil, 1},
		{"peering moved to another VNet while the space changes", "address-locked-swap", false, nil, 0},
		{"azure sync is resolved by the plan", "azure-resize", false, nil, 0},
		{"introduced error", "introduced", false, nil, 1},
		{"preexisting error only", "introduced", true, nil, 0},
		{"unplanned changes do not fail", "objects", false, nil, 0},
		// Lost reachability fails only with --fail-on-lost.
		{"lost without flag", "transit", true, nil, 0},
		{"lost with flag", "transit", true, []string{"--fail-on-lost"}, 1},
		{"nothing lost with flag", "transit", false, []string{"--fail-on-lost"}, 0},
		// Every format is available.
		{"json", "transit", false, []string{"--format", "json"}, 0},
		{"markdown", "transit", false, []string{"--format", "markdown"}, 0},
		{"sarif", "transit", false, []string{"--format", "sarif"}, 0},
		{"one protocol and port", "transit", false, []string{"--protocol", "TCP", "--port", "22"}, 0},
		// It cannot run: exit 2.
		{"unknown format", "transit", false, []string{"--format", "html"}, 2},
		{"bad protocol", "transit", false, []string{"--protocol", "SCTP"}, 2},
		{"port without ports", "transit", false, []string{"--protocol", "ICMP", "--port", "1"}, 2},
		{"port zero", "transit", false, []string{"--port", "0"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := extractCase(t, tc.fixture)
			before, after := filepath.Join(dir, "before.yaml"), filepath.Join(dir, "after.yaml")
			if tc.reverse {
				before, after = after, before
			}
			code, out, errOut := runDiffArgs(t, append(tc.args, before, after)...)
			if code != tc.want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.want, out, errOut)
			}
		})
	}
}

func TestDiffCannotRun(t *testing.T) {
	dir := extractCase(t, "transit")
	before := filepath.Join(dir, "before.yaml")
	broken := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(broken, []byte("name: [unclosed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	azure := filepath.Join(dir, "azure.yaml")
	data, _ := os.ReadFile(before)
	if err := os.WriteFile(azure, bytes.Replace(data, []byte("platform: windows-sdn"), []byte("platform: azure"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want int
		says string
	}{
		{"one file", []string{before}, 2, "want two files"},
		{"missing file", []string{before, filepath.Join(dir, "nope.yaml")}, 2, "nope.yaml"},
		{"file that does not load", []string{before, broken}, 1, "yaml-syntax"},
		{"different platforms", []string{before, azure}, 2, "cannot change platform"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runDiffArgs(t, tc.args...)
			if code != tc.want || !strings.Contains(errOut, tc.says) {
				t.Errorf("exit %d, stderr %q; want exit %d saying %q", code, errOut, tc.want, tc.says)
			}
		})
	}
}

// The emitted scenario replays the plan from the before-file and passes
// under the scenario runner: every event is accepted and the last step
// finds the after-file's peerings and reachability.
func TestDiffEmitScenarioRuns(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		reverse bool
	}{
		{"transit", false}, {"transit", true},
		{"address-locked", false}, {"address-locked", true},
		{"azure-resize", false}, {"azure-resize", true},
		{"objects", false},
		{"introduced", true},
		{"disconnected-partner", false}, {"disconnected-partner", true},
	} {
		name := tc.fixture
		if tc.reverse {
			name += "/reverse"
		}
		t.Run(name, func(t *testing.T) {
			dir := extractCase(t, tc.fixture)
			before, after := "before.yaml", "after.yaml"
			if tc.reverse {
				before, after = after, before
			}
			out := filepath.Join(dir, "plans", "plan.yaml")
			if err := os.Mkdir(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			code, stdout, errOut := runDiffArgs(t, "--format", "json", "--emit-scenario", out, filepath.Join(dir, before), filepath.Join(dir, after))
			if code == 2 {
				t.Fatalf("exit 2: %s", errOut)
			}
			var doc struct {
				Plan         []json.RawMessage `json:"plan"`
				PlanVerified bool              `json:"planVerified"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil || !doc.PlanVerified {
				t.Fatalf("plan not verified (%v):\n%s", err, stdout)
			}
			sc, ds := scenarios.ParseFile(out)
			if ds.HasErrors() {
				data, _ := os.ReadFile(out)
				t.Fatalf("emitted scenario does not parse: %v\n%s", ds.Err(), data)
			}
			if sc.TopologyPath != "../"+before {
				t.Errorf("topology = %q, want the before-file relative to the scenario", sc.TopologyPath)
			}
			if got := len(sc.Steps); got != len(doc.Plan)+1 {
				t.Errorf("%d steps, want one per plan event plus the final checks (%d)", got, len(doc.Plan)+1)
			}
			res := scenarios.Run(context.Background(), sc, scenarios.Options{})
			if !res.Passed {
				data, _ := os.ReadFile(out)
				t.Errorf("emitted scenario fails:\n%s\nresult: %+v", data, res.Steps)
			}
		})
	}
}

// A first deployment reviewed from an empty Network Controller export (which
// reads as azure): the plan is checked on windows-sdn, and the emitted
// scenario starts from an empty windows-sdn network, not from the file as
// read, so that it passes where azure would refuse the overlapping spokes.
func TestDiffEmitScenarioFromEmptyExport(t *testing.T) {
	dir := t.TempDir()
	const after = `name: t
platform: windows-sdn
virtualNetworks:
  H:
    addressSpace: [10.0.0.0/16]
    subnets: {s: {addressPrefix: 10.0.1.0/24}}
    peerings: {h1: {remoteVirtualNetwork: S1}, h2: {remoteVirtualNetwork: S2}}
  S1:
    addressSpace: [10.1.0.0/16]
    subnets: {s: {addressPrefix: 10.1.1.0/24}}
    peerings: {s1: {remoteVirtualNetwork: H}}
  S2:
    addressSpace: [10.1.0.0/16]
    subnets: {s: {addressPrefix: 10.1.1.0/24}}
    peerings: {s2: {remoteVirtualNetwork: H}}
`
	files := map[string]string{
		"empty.json": `{"value": []}`,
		// An empty file of the other platform that names the controller
		// the plan's VNets inherit: the scenario starts with it too.
		"empty.yaml":     "name: e\nplatform: azure\nnetworkController: nc1\n",
		"after.yaml":     after,
		"after-nc1.yaml": strings.Replace(after, "platform: windows-sdn\n", "platform: windows-sdn\nnetworkController: nc1\n", 1),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ before, after, controller string }{
		{"empty.json", "after.yaml", ""},
		{"empty.yaml", "after-nc1.yaml", "nc1"},
	} {
		out := filepath.Join(dir, tc.before+".plan.yaml")
		if code, _, errOut := runDiffArgs(t, "--emit-scenario", out, filepath.Join(dir, tc.before), filepath.Join(dir, tc.after)); code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.before, code, errOut)
		}
		sc, ds := scenarios.ParseFile(out)
		if ds.HasErrors() || sc.Topology.Platform != topology.WindowsSDN || sc.Topology.NetworkController != tc.controller {
			data, _ := os.ReadFile(out)
			t.Fatalf("emitted scenario (%v) does not start on windows-sdn with controller %q:\n%s", ds.Err(), tc.controller, data)
		}
		if res := scenarios.Run(context.Background(), sc, scenarios.Options{}); !res.Passed {
			t.Errorf("%s: emitted scenario fails: %+v", tc.before, res.Steps)
		}
	}
}

// --emit-scenario of a plan that is not verified writes nothing and says
// why on stderr: the output asked for cannot be made. A diff that would
// pass exits 2 for it; one that fails anyway (a violation) keeps its 1.
func TestDiffEmitScenarioUnverified(t *testing.T) {
	// A subnet that changes its prefix under a VM: no event can do it, so
	// the plan is not verified, and nothing is forbidden.
	const before = "name: t\nvirtualNetworks:\n  B:\n    addressSpace: [10.2.0.0/16]\n" +
		"    subnets: {db: {addressPrefix: 10.2.1.0/24}}\n    virtualMachines: {b1: {subnet: db, ipAddress: 10.2.1.4}}\n"
	moved := t.TempDir()
	after := strings.NewReplacer("10.2.1.0/24", "10.2.2.0/24", "10.2.1.4", "10.2.2.4").Replace(before)
	for name, data := range map[string]string{"before.yaml": before, "after.yaml": after} {
		if err := os.WriteFile(filepath.Join(moved, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	introduced := extractCase(t, "introduced")
	for _, tc := range []struct {
		dir  string
		code int
	}{{moved, 2}, {introduced, 1}} {
		out := filepath.Join(tc.dir, "plan.yaml")
		code, stdout, errOut := runDiffArgs(t, "--emit-scenario", out, filepath.Join(tc.dir, "before.yaml"), filepath.Join(tc.dir, "after.yaml"))
		if code != tc.code || !strings.Contains(errOut, "plan.yaml not written: the plan is not verified") {
			t.Errorf("%s: exit %d, stderr %q; want %d saying the plan is not verified", tc.dir, code, errOut, tc.code)
		}
		if !strings.Contains(stdout, "NOT verified") {
			t.Errorf("the report is not printed:\n%s", stdout)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("a scenario was written for an unverified plan: %v", err)
		}
	}
}

// --emit-scenario never replaces a file without --force, and never an input;
// the refusal comes before the report, which would otherwise print in full
// and then exit 2, hiding its verdict.
func TestDiffEmitScenarioOverwrite(t *testing.T) {
	dir := extractCase(t, "transit")
	before, after := filepath.Join(dir, "before.yaml"), filepath.Join(dir, "after.yaml")
	out := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(out, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, errOut := runDiffArgs(t, "--emit-scenario", out, before, after); code != 2 || !strings.Contains(errOut, "--force") || stdout != "" {
		t.Errorf("existing file: exit %d, stderr %q, stdout %d bytes; want 2 naming --force and no report", code, errOut, len(stdout))
	}
	if data, _ := os.ReadFile(out); string(data) != "keep me\n" {
		t.Errorf("the existing file was changed: %q", data)
	}
	if code, _, errOut := runDiffArgs(t, "--emit-scenario", out, "--force", before, after); code != 0 {
		t.Errorf("--force: exit %d: %s", code, errOut)
	}
	if data, _ := os.ReadFile(out); !bytes.HasPrefix(data, []byte("name: ")) {
		t.Errorf("--force did not write the scenario: %q", data)
	}
	if code, _, errOut := runDiffArgs(t, "--emit-scenario", before, "--force", before, after); code != 2 || !strings.Contains(errOut, "input") {
		t.Errorf("emitting over an input: exit %d, stderr %q; want 2", code, errOut)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}
