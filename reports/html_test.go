package reports

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// demoHTML renders the run fixture with the diagram of testdata/diagram.yaml.
func demoHTML(t *testing.T) []byte {
	t.Helper()
	var dot, svg bytes.Buffer
	if err := DOT(&dot, loadDiagram(t), DiagramOptions{Trace: traceFixture()}); err != nil {
		t.Fatal(err)
	}
	if err := RenderImage(context.Background(), &svg, dot.Bytes(), SVG); err != nil {
		t.Fatal(err)
	}
	return render(t, func(w *bytes.Buffer) error { return RunHTML(w, runFixture(), [][]byte{nil, svg.Bytes()}) })
}

func TestRunHTML(t *testing.T) {
	out := demoHTML(t)
	golden(t, "run-html", out)
	s := string(out)
	// Self-contained: nothing is fetched when the page opens.
	for _, bad := range []string{"<script", "<link", "<img", "<image", "@import", "url(", "src="} {
		if strings.Contains(s, bad) {
			t.Errorf("report contains %q; it must not fetch anything", bad)
		}
	}
	for _, want := range []string{"<svg", "ACLs &lt;across&gt; peerings", "expected delivered, got dropped [acl-denied]", "Hint: Look at the ACL"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(s, "<?xml") || strings.Contains(s, "<!DOCTYPE svg") {
		t.Error("the inline SVG kept its XML prolog")
	}
}

// A browser shows the diagram: headless Chromium takes a screenshot, and
// the part where the diagram sits is not blank.
func TestRunHTMLInChromium(t *testing.T) {
	chromium := "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no /usr/bin/chromium")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, demoHTML(t), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "shot.png")
	cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--window-size=1200,2400", "--screenshot="+shot, "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The diagram's trace overlay is the only orange on the page: seeing it
	// proves the inline SVG was drawn, not just the text around it.
	b := img.Bounds()
	orange := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 > 0xc0 && g>>8 > 0x50 && g>>8 < 0x90 && bl>>8 < 0x40 {
				orange++
			}
		}
	}
	if orange < 200 {
		t.Errorf("the diagram is not visible: %d orange pixels in the screenshot", orange)
	}
	if keep := os.Getenv("VNETSIM_KEEP_SCREENSHOT"); keep != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(keep, data, 0o644)
	}
}

// brokenRun is a run whose scenarios could not be loaded: a missing
// topology and a YAML syntax error, one message with markup in it.
func brokenRun() *scenarios.Result {
	return &scenarios.Result{Scenarios: []scenarios.ScenarioResult{
		{Name: "missing topology", Path: "labs/miss.yaml", Diagnostics: diag.Diagnostics{
			diag.Errorf(diag.InvalidValue, diag.P("topology"), "cannot read topology <nope>.yaml & co").At(diag.Range{Filename: "labs/miss.yaml", Start: diag.Pos{Line: 2, Column: 11}}),
		}},
		{Name: "syntax", Path: "labs/syn.yaml", Diagnostics: diag.Diagnostics{
			diag.Errorf(diag.YAMLSyntax, nil, "did not find expected ',' or ']'").At(diag.Range{Start: diag.Pos{Line: 1, Column: 1}}),
		}},
	}}
}

// A scenario that could not be loaded is reported, in every run format,
// with its diagnostics: a learner's broken lab is when the report matters.
func TestRunReportsShowDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		format string
		write  func(w *bytes.Buffer) error
		want   []string
	}{
		{"text", func(w *bytes.Buffer) error { return RunText(w, brokenRun(), Options{}) }, []string{"labs/miss.yaml:2:11", "<nope>.yaml", "labs/syn.yaml:1:1", "yaml-syntax"}},
		{"json", func(w *bytes.Buffer) error { return RunJSON(w, brokenRun()) }, []string{`"invalid-value"`, `"yaml-syntax"`}},
		{"junit", func(w *bytes.Buffer) error { return RunJUnit(w, brokenRun()) }, []string{"labs/miss.yaml:2:11: error[invalid-value]", "labs/syn.yaml:1:1: error[yaml-syntax]"}},
		{"markdown", func(w *bytes.Buffer) error { return RunMarkdown(w, brokenRun()) }, []string{"labs/miss.yaml:2:11", "`yaml-syntax`"}},
		{"sarif", func(w *bytes.Buffer) error { return RunSARIF(w, brokenRun()) }, []string{`"invalid-value"`, `"yaml-syntax"`}},
		{"html", func(w *bytes.Buffer) error { return RunHTML(w, brokenRun(), nil) }, []string{
			"labs/miss.yaml:2:11: error[invalid-value]: cannot read topology &lt;nope&gt;.yaml &amp; co",
			"labs/syn.yaml:1:1: error[yaml-syntax]", "0 passed, 2 failed"}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			out := string(render(t, tc.write))
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("%s report lacks %q:\n%s", tc.format, want, out)
				}
			}
			if tc.format == "html" && strings.Contains(out, "<nope>") {
				t.Error("the HTML report does not escape a diagnostic's message")
			}
		})
	}
}
