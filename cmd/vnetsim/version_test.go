package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// vnetsim --version prints the version, which every JSON output and SARIF
// log carries too: "devel" in a test binary, which is not linked with -X.
func TestVersion(t *testing.T) {
	// The flag is global: the docs say it goes before or after the command.
	for _, args := range [][]string{
		{"--version"}, {"-v"}, {"validate", "testdata/chain.yaml", "--version"}, {"lab", "list", "-v"},
	} {
		code, stdout, stderr := vnetsim(t, args...)
		if code != 0 || stdout != "vnetsim version devel\n" || stderr != "" {
			t.Errorf("vnetsim %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, stdout, stderr)
		}
	}
	const chain, hub = "testdata/chain.yaml", "testdata/hub-spoke.yaml"
	for _, args := range [][]string{
		{"validate", chain, "--format", "json"},
		{"trace", chain, "--from", "a1", "--to", "c1", "--format", "json", "--return"},
		{"routes", chain, "--subnet", "A/s1", "--format", "json"},
		{"reach", chain, "--format", "json"},
		{"reach", chain, "--format", "json", "--summary"},
		{"run", "testdata/pass.yaml", "--format", "json"},
		{"render", chain, "--format", "json"},
		{"diff", chain, hub, "--format", "json", "--no-impact"},
		{"lab", "list", "--format", "json"},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			_, stdout, stderr := vnetsim(t, args...)
			if !strings.HasPrefix(stdout, "{\n  \"version\": \"devel\",\n") {
				t.Fatalf("output does not start with the version:\n%.200s\n%s", stdout, stderr)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if reply, ok := doc["reply"].(map[string]any); ok && reply["version"] != nil {
				t.Error("a nested document carries a version too")
			}
		})
	}
	_, stdout, _ := vnetsim(t, "validate", chain, "--format", "sarif")
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct{ Version string }
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Version != "devel" {
		t.Errorf("SARIF tool.driver.version is not devel (%v):\n%.300s", err, stdout)
	}
}
