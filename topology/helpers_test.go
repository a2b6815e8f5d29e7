package topology

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

// checkT runs Check on text, which may be indented for readability: the
// common leading tabs are removed first.
func checkT(t *testing.T, text string) (*Network, *SourceMap, diag.Diagnostics) {
	t.Helper()
	return Check("t.yaml", []byte(dedent(text)))
}

// loadT loads text and fails the test unless it loads without errors.
func loadT(t *testing.T, text string) *Network {
	t.Helper()
	n, _, ds := Load("t.yaml", []byte(dedent(text)))
	if n == nil || ds.HasErrors() {
		t.Fatalf("loadT: the fixture does not load:\n%s", formatDiags(ds))
	}
	return n
}

// dedent removes the tab indentation shared by every non-blank line, so
// that YAML can be written inside Go source at the test's indentation.
func dedent(s string) string {
	s = strings.TrimPrefix(s, "\n")
	lines := strings.Split(s, "\n")
	prefix := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		if prefix < 0 || n < prefix {
			prefix = n
		}
	}
	for i, l := range lines {
		switch {
		case strings.TrimSpace(l) == "":
			lines[i] = ""
		case prefix > 0:
			lines[i] = l[prefix:]
		}
	}
	return strings.Join(lines, "\n")
}

// codesAt returns "code@line" for each diagnostic, sorted.
func codesAt(ds diag.Diagnostics) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%s@%d", d.Code, d.Subject.Start.Line)
	}
	slices.Sort(out)
	return out
}

// codesAtCol returns "code@line:col" for each diagnostic, sorted.
func codesAtCol(ds diag.Diagnostics) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%s@%d:%d", d.Code, d.Subject.Start.Line, d.Subject.Start.Column)
	}
	slices.Sort(out)
	return out
}

// formatDiags renders ds the way a compiler would, with details and related
// locations indented below each diagnostic.
func formatDiags(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%s: %s %s: %s\n", d.Subject, d.Severity, d.Code, d.Summary)
		if d.Detail != "" {
			fmt.Fprintf(&b, "\t%s\n", d.Detail)
		}
		for _, r := range d.Related {
			fmt.Fprintf(&b, "\trelated %s: %s\n", r.Subject, r.Message)
		}
	}
	return b.String()
}
