package reports

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/internal/contracttest"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// SARIF levels and the codes of reports are those
// docs/reference/vocabularies.md lists, and every one has help.
func TestVocabularyMatchesContract(t *testing.T) {
	levels := []string{sarifLevelError, sarifLevelWarn, sarifLevelRecord}
	contracttest.Match(t, "SARIF levels", levels)
	var codes []string
	for _, h := range reportHelp {
		codes = append(codes, string(h.Code))
	}
	contracttest.Match(t, "Report codes", codes)
	if want := topology.StringsOf(diag.ReportCodes); !slices.Equal(codes, want) {
		t.Errorf("report help differs from diag.ReportCodes\n got: %v\nwant: %v", codes, want)
	}
}

// Every code's help cites a page of the project's own documentation, never
// a section number of a document outside the repository.
func TestHelpCitesProjectPages(t *testing.T) {
	for _, h := range slices.Concat(codeHelp, reportHelp) {
		if h.Ref == "" {
			t.Errorf("%s: no Ref to the rule behind it", h.Code)
			continue
		}
		page, _, _ := strings.Cut(h.Ref, "#")
		if _, err := os.Stat(filepath.Join("..", "docs", page)); err != nil {
			t.Errorf("%s: Ref %s: %v", h.Code, h.Ref, err)
		}
		if strings.Contains(h.Help, "§") || strings.Contains(h.Short, "§") {
			t.Errorf("%s: help cites a section number: %q", h.Code, h.Help)
		}
	}
}
