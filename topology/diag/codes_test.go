package diag_test

import (
	"slices"
	"testing"

	"github.com/vnetsim/vnetsim/internal/contracttest"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// TestCodesMatchContract holds every code constant to docs/reference/vocabularies.md, so that a
// renamed or dropped code breaks a test rather than a user's pipeline.
func TestCodesMatchContract(t *testing.T) {
	for _, tc := range []struct {
		label string
		codes []diag.Code
	}{
		{"Diagnostic error codes", diag.ErrorCodes},
		{"Diagnostic warning codes", diag.WarningCodes},
		{"Refused-event codes", diag.RefusalCodes},
		{"Report codes", diag.ReportCodes},
	} {
		t.Run(tc.label, func(t *testing.T) {
			var got []string
			for _, c := range tc.codes {
				got = append(got, string(c))
				if !c.Known() {
					t.Errorf("%s is not Known", c)
				}
			}
			contracttest.Match(t, tc.label, got)
		})
	}
	severities := []string{diag.Error.String(), diag.Warning.String()}
	contracttest.Match(t, "Diagnostic severities", severities)
	if diag.Code("no-such-code").Known() {
		t.Error("an invented code is Known")
	}
	for _, c := range slices.Concat(diag.ErrorCodes, diag.WarningCodes, diag.RefusalCodes) {
		if c.IsReport() {
			t.Errorf("%s is a diagnostic or refusal code and a report code", c)
		}
	}
	for _, c := range diag.ReportCodes {
		if !c.IsReport() || diag.Errorf(c, nil, "x").Valid() {
			t.Errorf("%s: IsReport %t, valid as a diagnostic %t", c, c.IsReport(), diag.Errorf(c, nil, "x").Valid())
		}
	}
}
