package reports

import (
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/internal/buildinfo"
	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/sim/diff"
	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// pairText formats a changed pair: "A/s1 → B/s1: all (was none)".
func pairText(c diff.ReachChange) string {
	s := fmt.Sprintf("%s → %s: %s", c.From, c.To, c.Result)
	if c.Before != sim.OutcomeUnknown {
		s += fmt.Sprintf(" (was %s)", c.Before)
	} else {
		s += " (new subnet)"
	}
	return s
}

// lostText adds why packets of a lost pair are dropped.
func lostText(c diff.ReachChange) string {
	s := pairText(c)
	if c.Reason != "" {
		s += " [" + string(c.Reason) + "]"
	}
	if c.Explanation != "" {
		s += ": " + c.Explanation
	}
	if c.Lasting {
		s += " (lasting: lost after the change too)"
	}
	return s
}

// failingViolations counts the violations that fail the diff.
func failingViolations(r *diff.Result) int {
	n := 0
	for _, v := range r.Violations {
		if v.Fails() {
			n++
		}
	}
	return n
}

// diffVerdict is the one-line outcome of a diff.
func diffVerdict(r *diff.Result, failOnLost bool) string {
	switch {
	case failingViolations(r) > 0:
		return fmt.Sprintf("FAIL: %s", Plural(failingViolations(r), "violation"))
	case failOnLost && len(r.Reachability.Lost) > 0:
		return fmt.Sprintf("FAIL: %s lost (--fail-on-lost)", Plural(len(r.Reachability.Lost), "subnet pair"))
	}
	return "OK"
}

// rangeText is "file:line", or the file alone when the line is unknown.
func rangeText(r diag.Range) string {
	if r.Start.Line > 0 {
		return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line)
	}
	return r.Filename
}

// maxListedPairs caps the gained and lost pairs text and Markdown list;
// JSON lists them all.
const maxListedPairs = 50

// maxImpactLines caps the lost pairs a text or Markdown plan step lists;
// JSON lists them all, up to MaxJSONImpactPairs in the whole plan.
const maxImpactLines = 5

// MaxJSONImpactPairs is the most lost pairs a diff's JSON lists over all
// its plan steps. A hub whose peerings are all re-created loses more with
// every step (1 hub × 50 spokes: 6.7 million over 201 steps, 1.4 GB of
// JSON); beyond the cap each step lists its first pairs, at most 100, and
// says how many it loses ("lostCount", "transientCount", "truncated").
const MaxJSONImpactPairs = 1_000_000

// DiffOptions tune the diff renderers.
type DiffOptions struct {
	Options
	// FailOnLost counts lost reachability as a failure in the verdict.
	FailOnLost bool
}

// DiffText writes a diff for a person at a terminal: the changes with their
// lines, the violations like compiler errors, the plan step by step with
// its transient impact, the unplanned changes, the reachability gained and
// lost, and a verdict.
func DiffText(w io.Writer, r *diff.Result, opt DiffOptions) error {
	ew := &errWriter{w: w}
	st := styles(opt.Color)
	ew.printf("%s %s → %s (%s)\n", st.bold("vnetsim diff"), r.Before, r.After, r.Platform)

	width := 0
	for _, c := range slices.Concat(r.Changes, r.Plan.Unplanned) {
		width = max(width, len(rangeText(c.Subject)))
	}
	change := func(c diff.Change) {
		where := rangeText(c.Subject)
		ew.printf("  %-7s %s%s  %s\n", c.Kind, st.dim(where), strings.Repeat(" ", width-len(where)), c.Message)
	}
	ew.printf("\n%s\n", st.bold(fmt.Sprintf("Changes (%d)", len(r.Changes))))
	for _, c := range r.Changes {
		change(c)
	}

	ew.printf("\n%s\n", st.bold(fmt.Sprintf("Violations (%d)", len(r.Violations))))
	for _, v := range r.Violations {
		level := st.err("error")
		if !v.Fails() {
			level = st.note("note")
		}
		ew.printf("  %s: %s[%s]: %s\n", rangeText(v.Subject), level, v.Code, v.Message)
	}
	if len(r.Preexisting) > 0 {
		ew.printf("\n%s\n", st.bold(fmt.Sprintf("Errors the before-file already had (%d, not counted)", len(r.Preexisting))))
		for _, v := range r.Preexisting {
			ew.printf("  %s: [%s]: %s\n", rangeText(v.Subject), v.Code, v.Message)
		}
	}

	verified := st.ok("verified")
	if !r.Plan.Verified {
		verified = st.fail("NOT verified")
	}
	ew.printf("\n%s\n", st.bold(fmt.Sprintf("Plan (%s, %s)", Plural(len(r.Plan.Steps), "step"), verified)))
	for i, s := range r.Plan.Steps {
		ew.printf("  %2d. %s\n      %s\n", i+1, scenarios.EventText(s.Event), st.dim("why: "+s.Why))
		if i > 0 && s.Impact.Same {
			ew.printf("      %s\n", st.warning(fmt.Sprintf("while in this state: the same %s lost as after step %d", Plural(s.Impact.Count, "subnet pair"), i)))
			continue
		}
		writeImpactText(ew, st, s.Impact)
	}
	for _, p := range r.Plan.Problems {
		ew.printf("  %s %s\n", st.fail("problem:"), p)
	}
	if len(r.Plan.Unplanned) > 0 {
		ew.printf("\n%s\n", st.bold(fmt.Sprintf("Not expressible as events; make these out of band (%d)", len(r.Plan.Unplanned))))
		for _, u := range r.Plan.Unplanned {
			change(u)
		}
	}

	ew.printf("\n%s\n", st.bold(fmt.Sprintf("Reachability (subnet level): %d gained, %d lost", len(r.Reachability.Gained), len(r.Reachability.Lost))))
	for i, g := range r.Reachability.Gained {
		if i == maxListedPairs {
			ew.printf("  … and %d more gained (--format json lists every pair)\n", len(r.Reachability.Gained)-i)
			break
		}
		ew.printf("  %s %s\n", st.ok("gained"), pairText(g))
	}
	for i, l := range r.Reachability.Lost {
		if i == maxListedPairs {
			ew.printf("  … and %d more lost (--format json lists every pair)\n", len(r.Reachability.Lost)-i)
			break
		}
		ew.printf("  %s   %s\n", st.fail("lost"), lostText(l))
	}

	verdict := diffVerdict(r, opt.FailOnLost)
	if verdict == "OK" {
		verdict = st.ok(verdict)
	} else {
		verdict = st.fail(verdict)
	}
	ew.printf("\n%s\n", verdict)
	return ew.err
}

func writeImpactText(ew *errWriter, st style, imp diff.Impact) {
	if imp.Count == 0 {
		return
	}
	ew.printf("      %s\n", st.warning(fmt.Sprintf("while in this state: %s lost, %d of them transient", Plural(imp.Count, "subnet pair"), imp.Transient)))
	for i, l := range imp.Lost {
		if i == maxImpactLines {
			break
		}
		ew.printf("        %s\n", lostText(l))
	}
	if listed := min(len(imp.Lost), maxImpactLines); imp.Count > listed {
		ew.printf("        … and %d more\n", imp.Count-listed)
	}
}

// The JSON shape of a diff (docs/reference/json.md), plus additive fields: the files,
// each change's file, violations' path and resolvedByPlan, preexisting
// errors, each step's why, the plan's verification and unplanned changes.
// DiffJSON writes the document member by member, in this order: before,
// after, platform, changes, violations, preexisting, plan (each step a
// jsonPlanStep), planVerified, planProblems, unplanned, reachability
// ({gained, lost}, lists of jsonPair) and summary.
type (
	jsonChange struct {
		Kind    string `json:"kind"`
		Path    string `json:"path"`
		File    string `json:"file"`
		Line    int    `json:"line"`
		Message string `json:"message"`
	}
	jsonViolation struct {
		Code           string `json:"code"`
		Message        string `json:"message"`
		File           string `json:"file"`
		Line           int    `json:"line"`
		Path           string `json:"path"`
		ResolvedByPlan bool   `json:"resolvedByPlan"`
	}
	// jsonPlanStep is one step; its impact is {"lost": [pairs]}, or a
	// jsonTruncatedImpact.
	jsonPlanStep struct {
		Event  map[string]any `json:"event"`
		Why    string         `json:"why"`
		Impact any            `json:"impact"`
	}
	// jsonTruncatedImpact is a step's impact beyond MaxJSONImpactPairs:
	// its first pairs and its counts.
	jsonTruncatedImpact struct {
		Lost           []jsonPair `json:"lost"`
		LostCount      int        `json:"lostCount"`
		TransientCount int        `json:"transientCount"`
		Truncated      bool       `json:"truncated"`
	}
	jsonPair struct {
		From        string `json:"from"`
		To          string `json:"to"`
		Result      string `json:"result"`
		Before      string `json:"before,omitempty"`
		Reason      string `json:"reason,omitempty"`
		Explanation string `json:"explanation,omitempty"`
		Lasting     bool   `json:"lasting,omitempty"`
	}
	jsonDiffSummary struct {
		Changes    int  `json:"changes"`
		Violations int  `json:"violations"`
		Steps      int  `json:"steps"`
		Gained     int  `json:"gained"`
		Lost       int  `json:"lost"`
		Failed     bool `json:"failed"`
	}
)

func toJSONChanges(cs []diff.Change) []jsonChange {
	out := make([]jsonChange, len(cs))
	for i, c := range cs {
		out[i] = jsonChange{Kind: c.Kind.String(), Path: c.Path.String(), File: c.Subject.Filename, Line: c.Subject.Start.Line, Message: c.Message}
	}
	return out
}

func toJSONViolations(vs []diff.Violation) []jsonViolation {
	out := make([]jsonViolation, len(vs))
	for i, v := range vs {
		out[i] = jsonViolation{Code: string(v.Code), Message: v.Message, File: v.Subject.Filename,
			Line: v.Subject.Start.Line, Path: v.Path.String(), ResolvedByPlan: v.ResolvedByPlan}
	}
	return out
}

func toJSONPairs(cs []diff.ReachChange) []jsonPair {
	out := make([]jsonPair, len(cs))
	for i, c := range cs {
		out[i] = toJSONPair(c)
	}
	return out
}

func toJSONPair(c diff.ReachChange) jsonPair {
	p := jsonPair{From: c.From, To: c.To, Result: c.Result.String(), Reason: string(c.Reason), Explanation: c.Explanation, Lasting: c.Lasting}
	if c.Before != sim.OutcomeUnknown {
		p.Before = c.Before.String()
	}
	return p
}

// DiffJSON writes a diff as JSON with the field names of
// docs/reference/json.md. Every list is present, empty rather than null.
// The document is the one WriteDocument would write from the whole diff,
// written as it goes: the plan's lost pairs are replayed step by step and
// the reachability lists pair by pair, so that none of them is held whole.
func DiffJSON(w io.Writer, r *diff.Result, failOnLost bool) error {
	return diffJSON(w, r, failOnLost, MaxJSONImpactPairs)
}

// diffJSON is DiffJSON listing at most maxImpact lost pairs over the plan.
func diffJSON(w io.Writer, r *diff.Result, failOnLost bool, maxImpact int) error {
	s := newJSONStream(w)
	s.open("{")
	s.member("version", buildinfo.Version())
	s.member("before", r.Before)
	s.member("after", r.After)
	s.member("platform", r.Platform.String())
	s.member("changes", toJSONChanges(r.Changes))
	s.member("violations", toJSONViolations(r.Violations))
	s.member("preexisting", toJSONViolations(r.Preexisting))
	s.key("plan")
	s.open("[")
	event := func(st diff.PlanStep) map[string]any { return map[string]any{st.Event.Kind(): event.Args(st.Event)} }
	total := 0
	for _, st := range r.Plan.Steps {
		total += st.Impact.Count
	}
	if total > maxImpact {
		for _, st := range r.Plan.Steps {
			imp := jsonTruncatedImpact{Lost: toJSONPairs(st.Impact.Lost), LostCount: st.Impact.Count, TransientCount: st.Impact.Transient,
				Truncated: st.Impact.Count > len(st.Impact.Lost)}
			s.value(jsonPlanStep{event(st), st.Why, imp})
		}
	} else {
		for i, lost := range r.ImpactLists() {
			st := r.Plan.Steps[i]
			s.open("{")
			s.member("event", event(st))
			s.member("why", st.Why)
			s.key("impact")
			s.open("{")
			s.key("lost")
			writeJSONPairs(s, lost)
			s.close("}")
			s.close("}")
			if s.err != nil {
				break
			}
		}
	}
	s.close("]")
	s.member("planVerified", r.Plan.Verified)
	s.member("planProblems", append([]string{}, r.Plan.Problems...))
	s.member("unplanned", toJSONChanges(r.Plan.Unplanned))
	s.key("reachability")
	s.open("{")
	s.key("gained")
	writeJSONPairs(s, slices.Values(r.Reachability.Gained))
	s.key("lost")
	writeJSONPairs(s, slices.Values(r.Reachability.Lost))
	s.close("}")
	s.member("summary", jsonDiffSummary{
		Changes: len(r.Changes), Violations: failingViolations(r), Steps: len(r.Plan.Steps),
		Gained: len(r.Reachability.Gained), Lost: len(r.Reachability.Lost), Failed: r.Failed(failOnLost),
	})
	s.close("}")
	return s.finish()
}

// writeJSONPairs writes an array of changed pairs one by one.
func writeJSONPairs(s *jsonStream, pairs iter.Seq[diff.ReachChange]) {
	s.open("[")
	for p := range pairs {
		s.value(toJSONPair(p))
		if s.err != nil {
			break
		}
	}
	s.close("]")
}

// maxMarkdownSteps is the longest plan a pull request comment shows
// unfolded.
const maxMarkdownSteps = 20

// DiffMarkdown writes a diff as a pull request comment: a verdict heading,
// then tables of violations, changes, the plan with each step's impact, and
// reachability, long sections folded.
func DiffMarkdown(w io.Writer, r *diff.Result, failOnLost bool) error {
	ew := &errWriter{w: w}
	mark := "✅"
	if r.Failed(failOnLost) {
		mark = "❌"
	}
	ew.printf("## %s vnetsim diff: %s\n\n", mark, mdText(diffVerdict(r, failOnLost)))
	ew.printf("%s → %s (%s): %s, %s, %s, %d gained, %d lost.\n\n", mdCode(r.Before), mdCode(r.After), r.Platform,
		Plural(len(r.Changes), "change"), Plural(failingViolations(r), "violation"), Plural(len(r.Plan.Steps), "plan step"),
		len(r.Reachability.Gained), len(r.Reachability.Lost))

	if len(r.Violations) > 0 {
		ew.print("### Violations\n\n| | code | where | message |\n|---|---|---|---|\n")
		for _, v := range r.Violations {
			m := "❌"
			if !v.Fails() {
				m = "ℹ️ resolved by plan"
			}
			ew.printf("| %s | `%s` | %s | %s |\n", m, v.Code, mdCell(rangeText(v.Subject)), mdText(v.Message))
		}
		ew.print("\n")
	}
	if len(r.Preexisting) > 0 {
		ew.printf("<details><summary>%s the before-file already had (not counted)</summary>\n\n| code | where | message |\n|---|---|---|\n", Plural(len(r.Preexisting), "error"))
		for _, v := range r.Preexisting {
			ew.printf("| `%s` | %s | %s |\n", v.Code, mdCell(rangeText(v.Subject)), mdText(v.Message))
		}
		ew.print("\n</details>\n\n")
	}

	ew.printf("<details><summary>%s</summary>\n\n| kind | where | change |\n|---|---|---|\n", Plural(len(r.Changes), "change"))
	for _, c := range r.Changes {
		ew.printf("| %s | %s | %s |\n", c.Kind, mdCell(rangeText(c.Subject)), mdText(c.Message))
	}
	ew.print("\n</details>\n\n")

	status := "verified: every step is accepted and the last one leaves the after-file's network"
	if !r.Plan.Verified {
		status = "**not verified**"
	}
	ew.printf("### Plan (%s)\n\n", status)
	folded := len(r.Plan.Steps) > maxMarkdownSteps
	if folded {
		ew.printf("<details><summary>%s</summary>\n\n", Plural(len(r.Plan.Steps), "step"))
	}
	if len(r.Plan.Steps) > 0 {
		ew.print("| # | event | why | lost while in this state |\n|---|---|---|---|\n")
		for i, s := range r.Plan.Steps {
			ew.printf("| %d | %s | %s | %s |\n", i+1, mdCell(scenarios.EventText(s.Event)), mdText(s.Why), mdText(impactSummary(s.Impact)))
		}
		ew.print("\n")
	}
	if folded {
		ew.print("</details>\n\n")
	}
	for _, p := range r.Plan.Problems {
		ew.printf("- ❌ %s\n", mdText(p))
	}
	if len(r.Plan.Unplanned) > 0 {
		ew.print("\nNot expressible as events; make these out of band:\n\n")
		for _, u := range r.Plan.Unplanned {
			ew.printf("- %s %s\n", mdCode(rangeText(u.Subject)), mdText(u.Message))
		}
	}

	ew.print("\n### Reachability (subnet level)\n\n")
	if len(r.Reachability.Gained)+len(r.Reachability.Lost) == 0 {
		ew.print("No subnet pair changes.\n")
		return ew.err
	}
	ew.print("| | from | to | result | was | why |\n|---|---|---|---|---|---|\n")
	for i, g := range r.Reachability.Gained {
		if i == maxListedPairs {
			ew.printf("| ➕ | … | … | %d more | | |\n", len(r.Reachability.Gained)-i)
			break
		}
		ew.printf("| ➕ | %s | %s | %s | %s | |\n", mdCell(g.From), mdCell(g.To), g.Result, wasText(g.Before))
	}
	for i, l := range r.Reachability.Lost {
		if i == maxListedPairs {
			ew.printf("| ➖ | … | … | %d more | | |\n", len(r.Reachability.Lost)-i)
			break
		}
		why := string(l.Reason)
		if l.Explanation != "" {
			why += ": " + l.Explanation
		}
		ew.printf("| ➖ | %s | %s | %s | %s | %s |\n", mdCell(l.From), mdCell(l.To), l.Result, wasText(l.Before), mdText(why))
	}
	return ew.err
}

func wasText(o sim.Outcome) string {
	if o == sim.OutcomeUnknown {
		return "new"
	}
	return o.String()
}

// impactSummary lists a step's lost pairs briefly, capped.
func impactSummary(imp diff.Impact) string {
	if imp.Count == 0 {
		return "nothing"
	}
	var parts []string
	for i, l := range imp.Lost {
		if i == maxImpactLines {
			break
		}
		lasting := ""
		if l.Lasting {
			lasting = ", lasting"
		}
		parts = append(parts, fmt.Sprintf("%s → %s (%s%s)", l.From, l.To, l.Reason, lasting))
	}
	if listed := min(len(imp.Lost), maxImpactLines); imp.Count > listed {
		parts = append(parts, fmt.Sprintf("… and %d more", imp.Count-listed))
	}
	return strings.Join(parts, ", ")
}

// maxSARIFLost caps the lost pairs a SARIF log lists: code scanning is for
// findings a person reads, and an estate-wide loss would bury them.
const maxSARIFLost = 100

// DiffSARIF writes a diff for code scanning: each violation as an error at
// its line (a violation the plan resolves as a note), each preexisting
// error as a note, and each lost subnet pair as a warning on the
// after-file (at most maxSARIFLost, the last saying how many more).
func DiffSARIF(w io.Writer, r *diff.Result) error {
	var b sarifBuilder
	add := func(v diff.Violation, level string) {
		file := fileOf(v.Subject, r.After)
		loc := sarifLocation{PhysicalLocation: physical(file, v.Subject.Start.Line, v.Subject.Start.Column)}
		if len(v.Path) > 0 {
			loc.LogicalLocations = []sarifLogicalLocation{{FullyQualifiedName: v.Path.String(), Kind: "object"}}
		}
		b.add(sarifResult{
			RuleID: string(v.Code), Level: level, Message: sarifMessage{v.Message},
			Locations: []sarifLocation{loc}, PartialFingerprints: fingerprint(string(v.Code), file, v.Path.String()),
		})
	}
	for _, v := range r.Violations {
		level := sarifLevelError
		if !v.Fails() {
			level = sarifLevelRecord
		}
		add(v, level)
	}
	for _, v := range r.Preexisting {
		add(v, sarifLevelRecord)
	}
	for i, l := range r.Reachability.Lost {
		if i == maxSARIFLost {
			break
		}
		msg := lostText(l)
		if i == maxSARIFLost-1 && len(r.Reachability.Lost) > maxSARIFLost {
			msg += fmt.Sprintf(" (and %d more lost pairs, listed by --format json)", len(r.Reachability.Lost)-maxSARIFLost)
		}
		b.add(sarifResult{
			RuleID: string(diag.ReachabilityLost), Level: sarifLevelWarn, Message: sarifMessage{msg},
			Locations: []sarifLocation{{
				PhysicalLocation: physical(r.After, 0, 0),
				LogicalLocations: []sarifLogicalLocation{{FullyQualifiedName: l.From + " -> " + l.To, Kind: "flow"}},
			}},
			PartialFingerprints: fingerprint(string(diag.ReachabilityLost), r.After, l.From, l.To),
		})
	}
	return WriteJSON(w, b.log())
}
