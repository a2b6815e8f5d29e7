package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/internal/buildinfo"
	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// The SARIF 2.1.0 subset vnetsim writes. Field names follow the OASIS
// standard; testdata/sarif-2.1.0.schema.json checks the output.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		ShortDescription     sarifMessage `json:"shortDescription"`
		Help                 sarifMessage `json:"help"`
		HelpURI              string       `json:"helpUri"`
		DefaultConfiguration sarifConfig  `json:"defaultConfiguration"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifMessage      `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		CodeFlows           []sarifCodeFlow   `json:"codeFlows,omitempty"`
	}
	sarifLocation struct {
		ID               *int                   `json:"id,omitempty"`
		PhysicalLocation *sarifPhysical         `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
		Message          *sarifMessage          `json:"message,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	sarifLogicalLocation struct {
		FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
		Name               string `json:"name,omitempty"`
		Kind               string `json:"kind,omitempty"`
	}
	sarifCodeFlow struct {
		Message     *sarifMessage     `json:"message,omitempty"`
		ThreadFlows []sarifThreadFlow `json:"threadFlows"`
	}
	sarifThreadFlow struct {
		Locations []sarifThreadFlowLocation `json:"locations"`
	}
	sarifThreadFlowLocation struct {
		Location sarifLocation `json:"location"`
	}
)

const (
	sarifSchema      = "https://json.schemastore.org/sarif-2.1.0.json"
	toolURI          = "https://github.com/vnetsim/vnetsim"
	fingerprintKey   = "vnetsim/v1"
	sarifLevelError  = "error"
	sarifLevelWarn   = "warning"
	sarifLevelRecord = "note"
)

// sarifBuilder gathers results and the rules they use.
type sarifBuilder struct {
	results []sarifResult
}

func (b *sarifBuilder) add(r sarifResult) { b.results = append(b.results, r) }

// ruleLevel is a rule's default SARIF level: a warning code or a lost
// pair warns, a change the plan resolves is a note, the rest are errors.
func ruleLevel(code diag.Code) string {
	switch {
	case slices.Contains(diag.WarningCodes, code), code == diag.ReachabilityLost:
		return sarifLevelWarn
	case code == diag.PeeringSyncRequired:
		return sarifLevelRecord
	}
	return sarifLevelError
}

// log assigns rule indexes (rules sorted by id) and returns the document.
func (b *sarifBuilder) log() sarifLog {
	var ids []string
	for _, r := range b.results {
		if !slices.Contains(ids, r.RuleID) {
			ids = append(ids, r.RuleID)
		}
	}
	slices.Sort(ids)
	rules := make([]sarifRule, 0, len(ids))
	for _, id := range ids {
		h := Help(diag.Code(id))
		rules = append(rules, sarifRule{
			ID: id, ShortDescription: sarifMessage{h.Short}, Help: sarifMessage{h.HelpText()},
			HelpURI: h.URI(), DefaultConfiguration: sarifConfig{ruleLevel(h.Code)},
		})
	}
	results := slices.Clone(b.results)
	if results == nil {
		results = []sarifResult{}
	}
	for i := range results {
		results[i].RuleIndex = slices.Index(ids, results[i].RuleID)
		results[i].escape()
	}
	return sarifLog{
		Schema: sarifSchema, Version: "2.1.0",
		Runs: []sarifRun{{Tool: sarifTool{sarifDriver{Name: "vnetsim", Version: buildinfo.Version(), InformationURI: toolURI, Rules: rules}}, Results: results}},
	}
}

// escape makes the result's messages printable: viewers show them as text,
// some in a terminal.
func (r *sarifResult) escape() {
	r.Message.Text = printable(r.Message.Text)
	for i := range r.RelatedLocations {
		if m := r.RelatedLocations[i].Message; m != nil {
			m.Text = printable(m.Text)
		}
	}
	for i := range r.CodeFlows {
		if m := r.CodeFlows[i].Message; m != nil {
			m.Text = printable(m.Text)
		}
		for _, tf := range r.CodeFlows[i].ThreadFlows {
			for _, l := range tf.Locations {
				if m := l.Location.Message; m != nil {
					m.Text = printable(m.Text)
				}
			}
		}
	}
}

// fingerprint identifies a finding across edits that move it to another
// line: the code, the file and the model path, never the line.
func fingerprint(parts ...string) map[string]string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return map[string]string{fingerprintKey: hex.EncodeToString(sum[:16])}
}

func physical(file string, line, col int) *sarifPhysical {
	p := &sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(file)}}
	if line > 0 {
		p.Region = &sarifRegion{StartLine: line, StartColumn: col}
	}
	return p
}

// fileURI returns file as the relative URI reference SARIF wants: slashes
// for separators and each path segment percent-encoded, so that a name
// holding a space, '#', '%' or '?' names the file rather than a fragment
// or a query. A built-in lab's "lab:NAME" keeps its scheme; a ':' in any
// other path's first segment is encoded too, so that x:y.yaml is not read
// as a URI of scheme x.
func fileURI(file string) string {
	scheme, rest := "", filepath.ToSlash(file)
	if after, ok := strings.CutPrefix(rest, "lab:"); ok && !strings.Contains(after, "/") && !strings.Contains(after, ".") {
		scheme, rest = "lab:", after
	}
	segs := strings.Split(rest, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	if scheme == "" {
		segs[0] = strings.ReplaceAll(segs[0], ":", "%3A")
	}
	return scheme + strings.Join(segs, "/")
}

// diagnosticResult converts one located diagnostic.
func diagnosticResult(file string, d diag.Diagnostic) sarifResult {
	file = fileOf(d.Subject, file)
	level := sarifLevelWarn
	if d.Severity == diag.Error {
		level = sarifLevelError
	}
	loc := sarifLocation{PhysicalLocation: physical(file, d.Subject.Start.Line, d.Subject.Start.Column)}
	if len(d.Path) > 0 {
		loc.LogicalLocations = []sarifLogicalLocation{{FullyQualifiedName: d.Path.String(), Kind: "object"}}
	}
	r := sarifResult{
		RuleID: string(d.Code), Level: level, Message: sarifMessage{d.Message()},
		Locations: []sarifLocation{loc}, PartialFingerprints: fingerprint(string(d.Code), file, d.Path.String()),
	}
	for i, rel := range d.Related {
		id := i + 1
		r.RelatedLocations = append(r.RelatedLocations, sarifLocation{
			ID: &id, PhysicalLocation: physical(fileOf(rel.Subject, file), rel.Subject.Start.Line, rel.Subject.Start.Column),
			Message: &sarifMessage{rel.Message},
		})
	}
	return r
}

// ValidateSARIF writes diagnostics as a SARIF 2.1.0 log for code scanning:
// one rule per code with help and a stable help link, one result per
// diagnostic with related locations and a line-independent fingerprint.
func ValidateSARIF(w io.Writer, files []File) error {
	var b sarifBuilder
	for _, f := range files {
		for _, d := range f.Diagnostics {
			b.add(diagnosticResult(f.Path, d))
		}
	}
	return WriteJSON(w, b.log())
}

// RunSARIF writes a scenario run as a SARIF 2.1.0 log: scenario
// diagnostics, events refused in a failed step, and failed expectations;
// a failed trace expectation carries a code flow along the packet's hops.
func RunSARIF(w io.Writer, res *scenarios.Result) error {
	if res == nil {
		return errNothing("run result")
	}
	var b sarifBuilder
	for _, sc := range res.Scenarios {
		for _, d := range sc.Diagnostics {
			b.add(diagnosticResult(sc.Path, d))
		}
		for _, st := range sc.Steps {
			if !st.Passed {
				for i, ev := range st.Events {
					if ev.Accepted {
						continue
					}
					b.add(sarifResult{
						RuleID: string(ev.Code), Level: sarifLevelError,
						Message:             sarifMessage{fmt.Sprintf("step %q: %s refused: %s", st.Name, ev.Event, ev.Message)},
						Locations:           []sarifLocation{{PhysicalLocation: physical(sc.Path, ev.Line, 0)}},
						PartialFingerprints: fingerprint(string(ev.Code), sc.Path, st.Name, "event", fmt.Sprint(i)),
					})
				}
			}
			for i, c := range st.Checks {
				if c.Passed {
					continue
				}
				r := sarifResult{
					RuleID: string(diag.FailedExpectation), Level: sarifLevelError,
					Message:             sarifMessage{fmt.Sprintf("step %q: %s expectation failed: %s", st.Name, c.Kind, checkMessage(c))},
					Locations:           []sarifLocation{{PhysicalLocation: physical(sc.Path, c.Line, 0)}},
					PartialFingerprints: fingerprint(string(diag.FailedExpectation), sc.Path, st.Name, c.Kind, fmt.Sprint(i)),
				}
				if c.Trace != nil && len(c.Trace.Hops) > 0 {
					r.CodeFlows = []sarifCodeFlow{traceFlow(sc.Path, c.Line, c.Trace)}
				}
				b.add(r)
			}
		}
	}
	return WriteJSON(w, b.log())
}

// traceFlow follows a packet hop by hop; every location points at the
// expectation's line, with the hop as a logical location.
func traceFlow(file string, line int, t *sim.Trace) sarifCodeFlow {
	var tf sarifThreadFlow
	for _, h := range t.Hops {
		tf.Locations = append(tf.Locations, sarifThreadFlowLocation{Location: sarifLocation{
			PhysicalLocation: physical(file, line, 0),
			LogicalLocations: []sarifLogicalLocation{{Name: h.Node, FullyQualifiedName: hopPlace(h), Kind: "resource"}},
			Message:          &sarifMessage{hopSummary(h)},
		}})
	}
	return sarifCodeFlow{Message: &sarifMessage{traceVerdict(t)}, ThreadFlows: []sarifThreadFlow{tf}}
}
