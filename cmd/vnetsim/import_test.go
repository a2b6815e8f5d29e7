package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestImportValidateDiffPipeline runs the pipeline of two exports of one
// estate taken before and after a change (Resource Graph pages, as az graph
// query writes them): import each, validate the topology files, diff them,
// and check that diffing the exports directly says the same, and that the
// plan the diff emits runs against the before-export.
func TestImportValidateDiffPipeline(t *testing.T) {
	dir := t.TempDir()
	before, after := filepath.Join(dir, "before.yaml"), filepath.Join(dir, "after.yaml")
	for _, step := range []struct {
		args []string
		code int
	}{
		{[]string{"import", "azure", "../../examples/exports/azure-before.json", "-o", before}, 0},
		{[]string{"import", "azure", "../../examples/exports/azure-after.json", "-o", after}, 0},
		{[]string{"validate", before, after}, 0},
	} {
		if code, stdout, stderr := vnetsim(t, step.args...); code != step.code {
			t.Fatalf("vnetsim %s: exit %d, want %d\n%s%s", strings.Join(step.args, " "), code, step.code, stdout, stderr)
		}
	}
	yamlCode, yamlDiff, stderr := vnetsim(t, "diff", before, after)
	if yamlCode != 0 || !strings.Contains(yamlDiff, "Plan (1 step, verified)") || !strings.Contains(yamlDiff, "addAclRule {accessControlList: nsg-spokes, name: deny-ssh") {
		t.Fatalf("diff of the imported files: exit %d\n%s%s", yamlCode, yamlDiff, stderr)
	}
	scenario := filepath.Join(dir, "plan.yaml")
	jsonCode, jsonDiff, stderr := vnetsim(t, "diff", "../../examples/exports/azure-before.json", "../../examples/exports/azure-after.json", "--emit-scenario", scenario)
	if jsonCode != yamlCode {
		t.Fatalf("diff of the exports: exit %d, want %d\n%s", jsonCode, yamlCode, stderr)
	}
	// The two diffs differ only in file names and lines.
	where := regexp.MustCompile(`\S+\.(yaml|json)(:\d+)?`)
	if a, b := where.ReplaceAllString(yamlDiff, "FILE"), where.ReplaceAllString(jsonDiff, "FILE"); a != b {
		t.Errorf("diffing the exports and diffing their imports disagree:\n%s\n---\n%s", a, b)
	}
	if code, stdout, stderr := vnetsim(t, "diff", before, "../../examples/exports/azure-after.json"); code != 0 || !strings.Contains(stdout, "verified") {
		t.Errorf("diff of a topology file and an export: exit %d\n%s%s", code, stdout, stderr)
	}
	// The emitted scenario names the before-export as its topology, which run reads.
	if data, err := os.ReadFile(scenario); err != nil || !strings.Contains(string(data), "before.json") {
		t.Fatalf("emitted scenario: %v\n%s", err, data)
	}
	if code, stdout, stderr := vnetsim(t, "run", scenario); code != 0 {
		t.Errorf("run the emitted plan: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestImportRefusesABadName: --name follows the rule of every name, as
// generate's does, rather than writing a file that does not load.
func TestImportRefusesABadName(t *testing.T) {
	for _, name := range []string{"bad/name", "two\nlines", ""} {
		code, _, stderr := vnetsim(t, "import", "azure", "../../examples/exports/azure-before.json", "--name", name, "-o", filepath.Join(t.TempDir(), "x.yaml"))
		if code != 2 || !strings.Contains(stderr, "--name") {
			t.Errorf("--name %q: exit %d, want 2\n%s", name, code, stderr)
		}
	}
}

// TestExportWithAnUnreadableValue: every command refuses an export holding
// a value the importer cannot read (exit 1, the error on stderr), as it
// refuses a topology file that cannot be loaded, rather than answering for
// a VNet without its address space.
func TestExportWithAnUnreadableValue(t *testing.T) {
	data, err := os.ReadFile("../../examples/exports/azure-before.json")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(data), `"10.0.0.0/16"`, `"10.0.0.0/33"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"validate", bad},
		{"reach", bad},
		{"routes", bad, "--subnet", "hub/nva"},
		{"trace", bad, "--from", "spoke1", "--to", "spoke2"},
	} {
		code, stdout, stderr := vnetsim(t, args...)
		if code != 1 || !strings.Contains(stdout+stderr, "invalid-prefix") || strings.Contains(stdout+stderr, "missing-field") {
			t.Errorf("vnetsim %s: exit %d, want 1 with one invalid-prefix\n%s%s", strings.Join(args, " "), code, stdout, stderr)
		}
	}
}
