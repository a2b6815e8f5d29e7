package reports

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/scenarios"
)

// RunTotals counts scenarios.
type RunTotals struct {
	Scenarios int `json:"scenarios"`
	Passed    int `json:"passed"`
	Failed    int `json:"failed"`
}

// CountRun returns how many scenarios ran, passed and failed.
func CountRun(res *scenarios.Result) RunTotals {
	t := RunTotals{Scenarios: len(res.Scenarios)}
	for _, s := range res.Scenarios {
		if s.Passed {
			t.Passed++
		} else {
			t.Failed++
		}
	}
	return t
}

// valueText formats an expectation value: strings as they are, anything
// else as compact JSON (whose map keys are sorted).
func valueText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []string:
		return "[" + strings.Join(v, " ") + "]"
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = valueText(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// fieldsText formats a map of expectation fields as "k=v k=v", keys sorted,
// or "{}" for none.
func fieldsText(m map[string]any) string {
	if len(m) == 0 {
		return "{}"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+valueText(m[k]))
	}
	return strings.Join(parts, " ")
}

// checkMessage says why a check failed: the runner's message, or expected
// against actual when it gave none.
func checkMessage(c scenarios.CheckResult) string {
	if c.Message != "" {
		return c.Message
	}
	return fmt.Sprintf("expected %s, got %s", fieldsText(c.Expected), fieldsText(c.Actual))
}

// passWord returns PASS or FAIL, coloured.
func passWord(st style, ok bool) string {
	if ok {
		return st.ok("PASS")
	}
	return st.fail("FAIL")
}

// stepFailure explains a failed step whose checks all passed: its events.
func stepFailure(s scenarios.StepResult) string {
	var refused []string
	for _, e := range s.Events {
		if !e.Accepted {
			refused = append(refused, fmt.Sprintf("%s refused [%s]: %s", e.Event, e.Code, e.Message))
		}
	}
	if len(refused) == 0 {
		return "an expected refusal did not happen"
	}
	return strings.Join(refused, "; ")
}

// RunText writes every scenario, step, event and check; a failed check
// shows expected beside actual, why, and the failed trace's hops.
func RunText(w io.Writer, res *scenarios.Result, opt Options) error {
	if res == nil {
		return errNothing("run result")
	}
	ew := &errWriter{w: w}
	st := styles(opt.Color)
	for _, sc := range res.Scenarios {
		ew.printf("%s %s (%s)", passWord(st, sc.Passed), st.bold(printable(sc.Name)), printable(sc.Path))
		if sc.MaxScore > 0 {
			ew.printf(" score %d/%d", sc.Score, sc.MaxScore)
		}
		ew.print("\n")
		if len(sc.Diagnostics) > 0 {
			if err := ValidateText(ew.w, []File{{Path: sc.Path, Diagnostics: sc.Diagnostics}}, opt); err != nil {
				return err
			}
		}
		for i, s := range sc.Steps {
			ew.printf("  %s step %d: %s\n", passWord(st, s.Passed), i+1, printable(s.Name))
			for _, e := range s.Events {
				if e.Accepted {
					ew.printf("      %s accepted\n", e.Event)
				} else {
					ew.printf("      %s refused [%s]: %s\n", e.Event, e.Code, printable(e.Message))
				}
			}
			for _, c := range s.Checks {
				at := ""
				if c.Line > 0 {
					at = fmt.Sprintf("  (%s:%d)", sc.Path, c.Line)
				}
				ew.printf("      %s %-8s %s%s\n", passWord(st, c.Passed), c.Kind, fieldsText(c.Expected), st.dim(at))
				if c.Passed {
					continue
				}
				ew.printf("           expected %s\n", fieldsText(c.Expected))
				ew.printf("           actual   %s\n", fieldsText(c.Actual))
				ew.printf("           why: %s\n", printable(checkMessage(c)))
				if c.Trace != nil {
					writeTraceText(ew, st, c.Trace, "           ")
				}
			}
			if !s.Passed {
				if allPassed(s.Checks) {
					ew.printf("      why: %s\n", printable(stepFailure(s)))
				}
				for _, h := range s.Hints {
					ew.printf("      hint: %s\n", printable(h))
				}
			}
		}
	}
	t := CountRun(res)
	ew.printf("%s: %d passed, %d failed\n", Plural(t.Scenarios, "scenario"), t.Passed, t.Failed)
	return ew.err
}

func allPassed(cs []scenarios.CheckResult) bool {
	for _, c := range cs {
		if !c.Passed {
			return false
		}
	}
	return true
}

// The "run" document of docs/reference/json.md.
type (
	jsonRun struct {
		Scenarios []jsonScenario `json:"scenarios"`
		Summary   RunTotals      `json:"summary"`
	}
	jsonScenario struct {
		Name        string           `json:"name"`
		Path        string           `json:"path"`
		Description string           `json:"description,omitempty"`
		Passed      bool             `json:"passed"`
		Score       int              `json:"score"`
		MaxScore    int              `json:"maxScore"`
		Diagnostics []jsonDiagnostic `json:"diagnostics,omitempty"`
		Steps       []jsonStepResult `json:"steps"`
	}
	jsonStepResult struct {
		Name   string      `json:"name"`
		Passed bool        `json:"passed"`
		Events []jsonEvent `json:"events"`
		Checks []jsonCheck `json:"checks"`
		Hints  []string    `json:"hints,omitempty"`
	}
	jsonEvent struct {
		Event    string `json:"event"`
		Accepted bool   `json:"accepted"`
		Code     string `json:"code"`
		Message  string `json:"message,omitempty"`
		Line     int    `json:"line,omitempty"`
	}
	jsonCheck struct {
		Kind     string         `json:"kind"`
		Passed   bool           `json:"passed"`
		Expected map[string]any `json:"expected"`
		Actual   map[string]any `json:"actual"`
		Message  string         `json:"message"`
		Line     int            `json:"line,omitempty"`
		Trace    *jsonTrace     `json:"trace,omitempty"`
	}
)

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// RunJSON writes the "run" document of docs/reference/json.md. A failed trace check also
// carries the observed trace, in the "trace" document's shape.
func RunJSON(w io.Writer, res *scenarios.Result) error {
	if res == nil {
		return errNothing("run result")
	}
	doc := jsonRun{Scenarios: make([]jsonScenario, 0, len(res.Scenarios)), Summary: CountRun(res)}
	for _, sc := range res.Scenarios {
		js := jsonScenario{
			Name: sc.Name, Path: sc.Path, Description: sc.Description, Passed: sc.Passed,
			Score: sc.Score, MaxScore: sc.MaxScore, Steps: make([]jsonStepResult, 0, len(sc.Steps)),
		}
		if len(sc.Diagnostics) > 0 {
			js.Diagnostics = jsonDiagnostics(sc.Path, sc.Diagnostics)
		}
		for _, s := range sc.Steps {
			jst := jsonStepResult{Name: s.Name, Passed: s.Passed, Events: make([]jsonEvent, 0, len(s.Events)),
				Checks: make([]jsonCheck, 0, len(s.Checks)), Hints: s.Hints}
			for _, e := range s.Events {
				jst.Events = append(jst.Events, jsonEvent{e.Event, e.Accepted, string(e.Code), e.Message, e.Line})
			}
			for _, c := range s.Checks {
				jc := jsonCheck{Kind: c.Kind, Passed: c.Passed, Expected: nonNil(c.Expected), Actual: nonNil(c.Actual), Message: c.Message, Line: c.Line}
				if c.Trace != nil && !c.Passed {
					t := toJSONTrace(c.Trace)
					jc.Trace = &t
				}
				jst.Checks = append(jst.Checks, jc)
			}
			js.Steps = append(js.Steps, jst)
		}
		doc.Scenarios = append(doc.Scenarios, js)
	}
	return WriteDocument(w, doc)
}

// RunMarkdown writes a run as Markdown for a pull request comment or a CI
// job summary: a summary line, then each scenario's steps and failures.
func RunMarkdown(w io.Writer, res *scenarios.Result) error {
	if res == nil {
		return errNothing("run result")
	}
	ew := &errWriter{w: w}
	t := CountRun(res)
	ew.printf("## vnetsim run: %d passed, %d failed\n\n", t.Passed, t.Failed)
	for _, sc := range res.Scenarios {
		mark := "✅"
		if !sc.Passed {
			mark = "❌"
		}
		ew.printf("### %s %s\n\n%s", mark, mdText(sc.Name), mdCode(sc.Path))
		if sc.MaxScore > 0 {
			ew.printf(" · score %d/%d", sc.Score, sc.MaxScore)
		}
		ew.print("\n\n")
		if sc.Description != "" {
			ew.printf("%s\n\n", mdText(sc.Description))
		}
		for _, d := range sc.Diagnostics {
			ew.printf("- **%s** `%s` %s: %s\n", d.Severity, d.Code, mdText(location(File{Path: sc.Path}, d.Subject)), mdText(d.Message()))
		}
		if len(sc.Diagnostics) > 0 {
			ew.print("\n")
		}
		if len(sc.Steps) == 0 {
			continue
		}
		ew.print("| step | result | detail |\n|---|---|---|\n")
		for i, s := range sc.Steps {
			detail := Plural(len(s.Events), "event") + ", " + Plural(len(s.Checks), "check")
			if !s.Passed {
				var why []string
				for _, c := range s.Checks {
					if !c.Passed {
						why = append(why, fmt.Sprintf("`%s`: %s", c.Kind, mdText(checkMessage(c))))
					}
				}
				if len(why) == 0 {
					why = append(why, mdText(stepFailure(s)))
				}
				detail = strings.Join(why, "; ")
			}
			ew.printf("| %d. %s | %s | %s |\n", i+1, mdText(s.Name), passWord(styles(false), s.Passed), detail)
		}
		ew.print("\n")
		for _, s := range sc.Steps {
			for _, c := range s.Checks {
				if c.Passed || c.Trace == nil {
					continue
				}
				ew.printf("<details><summary>%s: trace %s</summary>\n\n```\n", html.EscapeString(printable(s.Name)), html.EscapeString(traceVerdict(c.Trace)))
				writeTraceText(ew, styles(false), c.Trace, "")
				ew.print("```\n\n</details>\n\n")
			}
		}
	}
	return ew.err
}
