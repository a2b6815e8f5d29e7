package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"strings"

	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// RunHTML writes a run as one self-contained HTML page: no scripts, fonts,
// stylesheets or images are fetched, so it can be attached to a CI run or
// mailed. diagrams[i], when present, is the SVG of scenario i's topology
// (from RenderImage), drawn inline above its steps.
func RunHTML(w io.Writer, res *scenarios.Result, diagrams [][]byte) error {
	if res == nil {
		return errNothing("run result")
	}
	t, err := template.New("run").Funcs(template.FuncMap{
		"fields": fieldsText,
		"inc":    func(i int) int { return i + 1 },
		"why":    checkMessage,
		"trace": func(c scenarios.CheckResult) string {
			if c.Trace == nil {
				return ""
			}
			var b strings.Builder
			writeTraceText(&errWriter{w: &b}, styles(false), c.Trace, "")
			return b.String()
		},
		"stepWhy": func(s scenarios.StepResult) string {
			if s.Passed || !allPassed(s.Checks) {
				return ""
			}
			return stepFailure(s)
		},
		"loc": func(path string, d diag.Diagnostic) string {
			return location(File{Path: path}, d.Subject)
		},
	}).Parse(runHTMLTemplate)
	if err != nil {
		return fmt.Errorf("html template: %w", err)
	}
	type scenarioView struct {
		scenarios.ScenarioResult
		Diagram template.HTML
	}
	view := struct {
		Totals    RunTotals
		Scenarios []scenarioView
	}{Totals: CountRun(res)}
	for i, sc := range res.Scenarios {
		v := scenarioView{ScenarioResult: sc}
		if i < len(diagrams) {
			v.Diagram = inlineSVG(diagrams[i])
		}
		view.Scenarios = append(view.Scenarios, v)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, view); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	if _, err := w.Write(blankLines.ReplaceAll(buf.Bytes(), nil)); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return nil
}

// blankLines matches the whitespace-only lines the template's actions leave
// behind; the report has no <pre> content with blank lines, so dropping
// them changes nothing a browser shows.
var blankLines = regexp.MustCompile(`(?m)^[ \t]*\n`)

// inlineSVG keeps the <svg> element of a graphviz SVG document, dropping
// the XML declaration and DOCTYPE that may not appear inside HTML. The SVG
// comes from graphviz, which escapes every label, so it is trusted markup.
func inlineSVG(svg []byte) template.HTML {
	i := bytes.Index(svg, []byte("<svg"))
	if i < 0 {
		return ""
	}
	return template.HTML(svg[i:]) // #nosec: graphviz output, labels escaped
}

const runHTMLTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vnetsim run: {{.Totals.Passed}} passed, {{.Totals.Failed}} failed</title>
<style>
  :root { --ok: #1a7f37; --fail: #c62828; --muted: #5f6368; --line: #d0d7de; --bg: #f6f8fa; }
  * { box-sizing: border-box; }
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #fff; }
  header { background: #24292f; color: #fff; padding: 1.2rem 2rem; }
  header h1 { margin: 0; font-size: 1.4rem; font-weight: 600; }
  header p { margin: .3rem 0 0; color: #d0d7de; }
  main { max-width: 1100px; margin: 0 auto; padding: 1rem 2rem 3rem; }
  section.scenario { border: 1px solid var(--line); border-radius: 8px; margin: 1.5rem 0; overflow: hidden; }
  section.scenario > h2 { margin: 0; padding: .8rem 1rem; font-size: 1.15rem; background: var(--bg); border-bottom: 1px solid var(--line); }
  .body { padding: .5rem 1rem 1rem; }
  .badge { display: inline-block; font-size: .75rem; font-weight: 700; padding: .1rem .5rem; border-radius: 1rem; color: #fff; vertical-align: middle; margin-right: .4rem; }
  .pass { background: var(--ok); } .fail { background: var(--fail); }
  .path, .muted { color: var(--muted); font-size: .9rem; }
  .diagram { overflow: auto; border: 1px solid var(--line); border-radius: 6px; padding: .5rem; margin: .8rem 0; background: #fff; text-align: center; }
  .diagram svg { max-width: 100%; height: auto; }
  table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: .92rem; }
  td code { overflow-wrap: anywhere; }
  th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
  th { background: var(--bg); font-weight: 600; }
  tr.failed td { background: #fff5f5; }
  code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
  pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .6rem; overflow: auto; white-space: pre-wrap; }
  .why { color: var(--fail); }
  .hint { background: #fff8c5; border-left: 4px solid #d4a72c; padding: .3rem .6rem; margin: .3rem 0; }
  h3 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
</style>
</head>
<body>
<header>
  <h1>vnetsim run</h1>
  <p>{{.Totals.Scenarios}} scenario{{if ne .Totals.Scenarios 1}}s{{end}}: {{.Totals.Passed}} passed, {{.Totals.Failed}} failed</p>
</header>
<main>
{{range $i, $sc := .Scenarios}}
<section class="scenario" id="scenario-{{$i}}">
  <h2><span class="badge {{if $sc.Passed}}pass">PASS{{else}}fail">FAIL{{end}}</span>{{$sc.Name}}</h2>
  <div class="body">
    <p class="path"><code>{{$sc.Path}}</code>{{if $sc.MaxScore}} · score {{$sc.Score}}/{{$sc.MaxScore}}{{end}}</p>
    {{with $sc.Description}}<p>{{.}}</p>{{end}}
    {{range $sc.Diagnostics}}<p class="why">{{loc $sc.Path .}}: {{.Severity}}[{{.Code}}]: {{.Message}}</p>{{end}}
    {{with $sc.Diagram}}<div class="diagram" role="img" aria-label="topology of {{$sc.Name}}">{{.}}</div>{{end}}
    {{range $k, $st := $sc.Steps}}
    <h3><span class="badge {{if $st.Passed}}pass">PASS{{else}}fail">FAIL{{end}}</span>Step {{inc $k}}: {{$st.Name}}</h3>
    {{with stepWhy $st}}<p class="why">{{.}}</p>{{end}}
    {{if or $st.Events $st.Checks}}
    <table>
      <thead><tr><th>what</th><th>expected</th><th>actual</th><th>result</th></tr></thead>
      <tbody>
      {{range $st.Events}}
        <tr{{if not .Accepted}} class="failed"{{end}}><td>event <code>{{.Event}}</code></td><td></td><td>{{if .Accepted}}accepted{{else}}refused <code>{{.Code}}</code>: {{.Message}}{{end}}</td><td>{{if .Accepted}}accepted{{else}}refused{{end}}</td></tr>
      {{end}}
      {{range $st.Checks}}
        <tr{{if not .Passed}} class="failed"{{end}}><td>check <code>{{.Kind}}</code></td><td><code>{{fields .Expected}}</code></td><td><code>{{fields .Actual}}</code></td><td>{{if .Passed}}<span class="badge pass">PASS</span>{{else}}<span class="badge fail">FAIL</span>{{end}}</td></tr>
        {{if not .Passed}}<tr class="failed"><td colspan="4"><span class="why">{{why .}}</span>{{with trace .}}<pre>{{.}}</pre>{{end}}</td></tr>{{end}}
      {{end}}
      </tbody>
    </table>
    {{end}}
    {{if not $st.Passed}}{{range $st.Hints}}<p class="hint">Hint: {{.}}</p>{{end}}{{end}}
    {{end}}
  </div>
</section>
{{end}}
</main>
</body>
</html>
`
