package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// yamlSyntaxAt finds the position of the first yaml-syntax error in text
// output: FILE:LINE:COL: error[yaml-syntax].
var yamlSyntaxAt = regexp.MustCompile(`:(\d+:\d+): error\[yaml-syntax\]`)

// The same broken bytes are reported at the same line and column by
// validate (as a topology) and by run (as a scenario): both read files
// through one YAML front end. yaml.v3 numbers its parser's errors from 0
// and its scanner's from 1; a second reader once missed that.
func TestSyntaxErrorSamePositionInValidateAndRun(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unclosed flow mapping", "name: x\nsteps:\n  - name: a\n    do: [{createPeering: {vnet: A}\n", "4:1"},
		{"block sequence indented wrong", "name: x\nsteps:\n  - name: a\n   bad: [\n", "3:1"},
		{"list item where a key belongs", "name: x\nsteps:\n  - name: a\n    do: [\n      - x\n   y: 2\n", "5:1"},
		{"mapping value in a scalar", "name: x\nsteps:\n  - name: one\n     expect: []\n", "4:1"},
		{"tab indentation", "name: x\nsteps:\n\t- name: a\n", "3:1"},
		{"not UTF-8", "name: x\nsteps:\n  - name: caf\xe9\n", "3:1"},
		{"an anchor", "name: x\nsteps: &s\n  - name: a\n", "2:8"},
		{"two documents", "name: x\n---\nname: y\n", "2:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "broken.yaml")
			if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			positions := map[string]string{}
			for _, cmd := range []string{"validate", "run"} {
				code, stdout, stderr := vnetsim(t, cmd, path)
				m := yamlSyntaxAt.FindStringSubmatch(stdout + stderr)
				if code != 1 || m == nil {
					t.Fatalf("vnetsim %s: exit %d, want 1 with a yaml-syntax error:\n%s%s", cmd, code, stdout, stderr)
				}
				positions[cmd] = m[1]
			}
			if positions["validate"] != tc.want || positions["run"] != tc.want {
				t.Errorf("validate says %s, run says %s; want %s for both", positions["validate"], positions["run"], tc.want)
			}
		})
	}
}
