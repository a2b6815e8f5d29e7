// Package contracttest reads the closed vocabularies out of the public
// contract (../shared/spec/contract.md), so that tests can hold every typed
// constant to the contract's spelling. It is used by tests only.
package contracttest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Vocabulary returns the backquoted names of the paragraph of contract §5
// that starts with label (for example "Drop reasons:"), in contract order.
// The test is skipped when the contract is not beside the repository, as in
// a copy of the module outside its workspace.
func Vocabulary(t testing.TB, label string) []string {
	t.Helper()
	text := contract(t)
	start := strings.Index(text, "\n"+label)
	if start < 0 {
		t.Fatalf("contract has no paragraph starting %q", label)
	}
	para := text[start+1:]
	if end := strings.Index(para, "\n\n"); end >= 0 {
		para = para[:end]
	}
	// A later label in the same paragraph ("Warnings:") ends this one.
	for _, next := range []string{"\nWarnings:", "\nAzure sync levels:"} {
		if i := strings.Index(para, next); i > 0 && !strings.HasPrefix(label, strings.TrimPrefix(next, "\n")) {
			para = para[:i]
		}
	}
	var names []string
	for _, m := range regexp.MustCompile("`([A-Za-z-]+)`").FindAllStringSubmatch(para, -1) {
		names = append(names, m[1])
	}
	if len(names) == 0 {
		t.Fatalf("contract paragraph %q names nothing", label)
	}
	return names
}

func contract(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for ; ; dir = filepath.Dir(dir) {
		b, err := os.ReadFile(filepath.Join(dir, "..", "shared", "spec", "contract.md"))
		if err == nil {
			return string(b)
		}
		if filepath.Dir(dir) == dir {
			t.Skip("../shared/spec/contract.md is not beside the repository")
		}
	}
}
