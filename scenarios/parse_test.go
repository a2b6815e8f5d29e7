package scenarios

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixture is a txtar test case: its files, written to a temporary folder,
// and its want.txt.
type fixture struct {
	dir, golden string
	archive     *txtar.Archive
	want        string
}

// loadFixture writes the archive's files (all but want.txt) to a fresh
// temporary folder.
func loadFixture(t *testing.T, golden string) fixture {
	t.Helper()
	a, err := txtar.ParseFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{dir: t.TempDir(), golden: golden, archive: a}
	for _, file := range a.Files {
		if file.Name == "want.txt" {
			f.want = string(file.Data)
			continue
		}
		if err := os.WriteFile(filepath.Join(f.dir, file.Name), file.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// check compares got with want.txt, or rewrites want.txt under -update.
func (f fixture) check(t *testing.T, got string) {
	t.Helper()
	if *update {
		var files []txtar.File
		for _, file := range f.archive.Files {
			if file.Name != "want.txt" {
				files = append(files, file)
			}
		}
		f.archive.Files = append(files, txtar.File{Name: "want.txt", Data: []byte(got)})
		if err := os.WriteFile(f.golden, txtar.Format(f.archive), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != f.want {
		t.Errorf("%s: want.txt differs (-want +got):\n%s", f.golden, cmp.Diff(f.want, got))
	}
}

// formatDiags prints diagnostics one a line, file names relative to dir.
func formatDiags(dir string, ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		r := d.Subject
		r.Filename = strings.TrimPrefix(r.Filename, dir+string(filepath.Separator))
		fmt.Fprintf(&b, "%s %s %s: %s\n", r, d.Severity, d.Code, d.Message())
	}
	return b.String()
}

// TestParseDiagnostics parses each testdata/parse/*.txtar scenario and
// compares its diagnostics, with positions, with want.txt.
func TestParseDiagnostics(t *testing.T) {
	eachFixture(t, "parse", func(t *testing.T, f fixture, sc *Scenario, ds diag.Diagnostics) {
		got := formatDiags(f.dir, ds)
		if ds.HasErrors() != (sc == nil) {
			t.Errorf("scenario nil = %v with %d errors", sc == nil, ds.Errors())
		}
		for _, d := range ds {
			if !d.Valid() || !d.Subject.IsValid() {
				t.Errorf("diagnostic without a valid code, severity or position: %+v", d)
			}
		}
		if got == "" {
			got = "ok\n"
		}
		f.check(t, got)
	})
}

// eachFixture runs fn as one subtest per testdata/dir/*.txtar fixture, with
// the fixture's files written out and its scenario.yaml parsed.
func eachFixture(t *testing.T, dir string, fn func(t *testing.T, f fixture, sc *Scenario, ds diag.Diagnostics)) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, golden := range files {
		t.Run(strings.TrimSuffix(filepath.Base(golden), ".txtar"), func(t *testing.T) {
			f := loadFixture(t, golden)
			sc, ds := ParseFile(filepath.Join(f.dir, "scenario.yaml"))
			fn(t, f, sc, ds)
		})
	}
}

// A scenario reads its values as a topology file does, through the
// topology loader's readers: every spelling YAML reads as an integer is an
// integer (0x1BB, 4_43), enumerations are read with surrounding space
// trimmed, and a refusal is worded, with its fix, as the loader words it.
func TestScalarsReadAsInTopologies(t *testing.T) {
	const text = `name: s
topology:
  name: t
  virtualNetworks:
    A: {addressSpace: [10.1.0.0/16], subnets: {s: {addressPrefix: 10.1.0.0/24}}, virtualMachines: {a: {subnet: s, ipAddress: 10.1.0.4}}}
  accessControlLists:
    acl: {rules: [{name: r, priority: 0x12C, type: Inbound, action: Allow, protocol: " Tcp "}]}
steps:
  - expect:
      - trace: {from: a, to: a, port: 0x1BB, protocol: " UDP ", result: delivered}
      - trace: {from: a, to: a, port: 4_43, result: delivered}
`
	sc, ds := Parse("s.yaml", []byte(text))
	if sc == nil || len(ds) > 0 {
		t.Fatalf("parse: %v", ds)
	}
	for _, c := range sc.Steps[0].Expect {
		if e := c.Expectation.(TraceExpectation); e.Port != 443 {
			t.Errorf("trace port %d, want 443", e.Port)
		}
	}
	if e := sc.Steps[0].Expect[0].Expectation.(TraceExpectation); e.Protocol != topology.UDP {
		t.Errorf("trace protocol %s, want UDP", e.Protocol)
	}
	if rule := sc.Topology.AccessControlLists["acl"].Rules[0]; rule.Priority != 300 || rule.Protocol != topology.TCP {
		t.Errorf("the inline topology's rule reads priority %d protocol %s, want 300 TCP", rule.Priority, rule.Protocol)
	}
	// The same bad boolean, in a topology and in a scenario.
	_, _, tds := topology.Load("t.yaml", []byte("name: t\nvirtualNetworks:\n  A: {addressSpace: [10.1.0.0/16], peerings: {p: {remoteVirtualNetwork: A, allowForwardedTraffic: \"true\"}}}\n"))
	_, sds := Parse("s.yaml", []byte("name: s\ntopology: {name: t}\nsteps:\n  - do: [{updatePeering: {vnet: A, name: p, allowForwardedTraffic: \"true\"}}]\n"))
	if len(tds) == 0 || len(sds) == 0 {
		t.Fatalf("a quoted true is accepted: topology %v, scenario %v", tds, sds)
	}
	_, tmsg, _ := strings.Cut(tds[0].Message(), "want ")
	_, smsg, _ := strings.Cut(sds[0].Message(), "want ")
	if tmsg == "" || tmsg != smsg {
		t.Errorf("a quoted true is refused as %q in a topology and %q in a scenario", tds[0].Message(), sds[0].Message())
	}
}

// A misspelt drop reason suggests the reason it most likely means.
func TestParseReasonSuggests(t *testing.T) {
	for in, want := range map[string]string{
		"peering-not-conected": `"peering-not-conected" is not a drop reason; did you mean "peering-not-connected"?`,
		"loops":                `"loops" is not a drop reason; did you mean "loop"?`,
		"gremlins":             `"gremlins" is not a drop reason (docs/reference/vocabularies.md#drop-reasons)`,
	} {
		if _, err := ParseReason(in); err == nil || err.Error() != want {
			t.Errorf("ParseReason(%q) = %v, want %s", in, err, want)
		}
	}
	if r, err := ParseReason("not-peered"); err != nil || r != "not-peered" {
		t.Errorf("ParseReason(not-peered) = %q, %v", r, err)
	}
}
