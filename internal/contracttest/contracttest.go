// Package contracttest reads the closed vocabularies out of the project's
// reference, docs/reference/vocabularies.md, so that tests can hold every
// typed constant to its documented spelling. It is used by tests only.
package contracttest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Vocabulary returns the names in the first column of the table under the
// heading "## title" of docs/reference/vocabularies.md, in page order. It
// fails the test when the page, the heading or its table is missing; it
// never skips, because the page is part of the repository.
func Vocabulary(t testing.TB, title string) []string {
	t.Helper()
	text := readReference(t, "vocabularies.md")
	start := strings.Index(text, "\n## "+title+"\n")
	if start < 0 {
		t.Fatalf("docs/reference/vocabularies.md has no heading %q", "## "+title)
	}
	section := text[start+len("\n## "+title+"\n"):]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var names []string
	for _, m := range firstCell.FindAllStringSubmatch(section, -1) {
		names = append(names, m[1])
	}
	if len(names) == 0 {
		t.Fatalf("section %q of docs/reference/vocabularies.md lists no names", title)
	}
	return names
}

// Match fails the test unless got is the vocabulary under "## title" of
// docs/reference/vocabularies.md, in the page's order.
func Match(t testing.TB, title string, got []string) {
	t.Helper()
	if want := Vocabulary(t, title); !slices.Equal(got, want) {
		t.Errorf("%s differ from docs/reference/vocabularies.md\n got: %v\nwant: %v", title, got, want)
	}
}

// firstCell matches a table row whose first cell is one backquoted name.
var firstCell = regexp.MustCompile("(?m)^\\| `([A-Za-z-]+)` \\|")

// readReference returns docs/reference/NAME from the module root, found by
// walking up from the test's working directory to go.mod.
func readReference(t testing.TB, name string) string {
	t.Helper()
	root := ModuleRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "docs", "reference", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ModuleRoot returns the directory holding the module's go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
}
