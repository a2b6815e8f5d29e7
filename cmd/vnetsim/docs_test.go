package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/vnetsim/vnetsim/internal/contracttest"
	"github.com/vnetsim/vnetsim/reports"
	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// The documentation tests: docs/reference/ documents every key of the
// topology schema, every scenario event and expectation with its keys,
// every command and flag, every JSON field and every code, and every
// relative link of the README and docs/ resolves inside the repository.
// They read the code's own tables (the schema, the parser's key lists, the
// CLI app, real outputs), so the documentation cannot drift from them.

// repoRoot is the module root, where README.md and docs/ are.
func repoRoot(t *testing.T) string {
	t.Helper()
	return contracttest.ModuleRoot(t)
}

func readDoc(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// heading is one Markdown heading: its level, its text and where its
// section (up to the next heading) starts and ends.
type heading struct {
	level      int
	text       string
	start, end int
}

var headingLine = regexp.MustCompile("(?m)^(#{1,6}) (.+)$")

// headings returns the headings of a Markdown page outside fenced code.
func headings(page string) []heading {
	fenced := fencedRanges(page)
	var out []heading
	for _, m := range headingLine.FindAllStringSubmatchIndex(page, -1) {
		if inRanges(m[0], fenced) {
			continue
		}
		out = append(out, heading{level: m[3] - m[2], text: page[m[4]:m[5]], start: m[1]})
	}
	for i := range out {
		out[i].end = len(page)
		if i+1 < len(out) {
			out[i].end = strings.LastIndex(page[:out[i+1].start], "\n#")
		}
	}
	return out
}

// section returns the text under the first heading whose text contains
// want, up to the next heading.
func section(t *testing.T, page, name, want string) string {
	t.Helper()
	for _, h := range headings(page) {
		if strings.Contains(h.text, want) {
			return page[h.start:h.end]
		}
	}
	t.Errorf("%s has no heading containing %q", name, want)
	return ""
}

var fence = regexp.MustCompile("(?m)^```")

// fencedRanges returns the byte ranges of fenced code blocks.
func fencedRanges(page string) [][2]int {
	var out [][2]int
	idx := fence.FindAllStringIndex(page, -1)
	for i := 0; i+1 < len(idx); i += 2 {
		out = append(out, [2]int{idx[i][0], idx[i+1][1]})
	}
	return out
}

func inRanges(i int, rs [][2]int) bool {
	for _, r := range rs {
		if r[0] <= i && i < r[1] {
			return true
		}
	}
	return false
}

// tableKeys returns the backquoted first cells of a section's table rows.
var firstCell = regexp.MustCompile("(?m)^\\| `([^`]+)`")

func tableKeys(sec string) []string {
	var out []string
	for _, m := range firstCell.FindAllStringSubmatch(sec, -1) {
		out = append(out, m[1])
	}
	return out
}

// Every command and subcommand has a section of commands.md, and every
// flag, with its aliases, is in the section's table; global flags are in
// the "Global flags" section.
func TestDocsCoverCommands(t *testing.T) {
	page := readDoc(t, "docs/reference/commands.md")
	app := quietApp()
	app.Setup()
	checkFlags := func(where, sec string, flags []cli.Flag) {
		for _, f := range flags {
			if !visible(f) {
				continue
			}
			for _, n := range f.Names() {
				dashes := "--"
				if len(n) == 1 {
					dashes = "-"
				}
				if !strings.Contains(sec, "`"+dashes+n+"`") {
					t.Errorf("commands.md: %s does not document %s%s", where, dashes, n)
				}
			}
		}
	}
	checkFlags("Global flags", section(t, page, "commands.md", "Global flags"), app.Flags)
	n := 0
	walkCommands(app.Commands, "vnetsim", func(path string, c *cli.Command) {
		n++
		sec := section(t, page, "commands.md", "`"+path+"`")
		var flags []cli.Flag
		for _, f := range c.Flags {
			if f.Names()[0] != "help" {
				flags = append(flags, f)
			}
		}
		checkFlags(path, sec, flags)
		// No flag is documented that the command does not have.
		for _, key := range tableKeys(sec) {
			name := strings.TrimLeft(key, "-")
			if flagNamed(append(slices.Clone(c.Flags), app.Flags...), "--"+name) == nil {
				t.Errorf("commands.md: %s documents %s, which it does not have", path, key)
			}
		}
	})
	if n < 12 {
		t.Errorf("walked %d commands; the walk is broken", n)
	}
}

// Every object kind of topology/schema.json has a section of topology.md
// whose table lists exactly the kind's keys.
func TestDocsCoverTopologyKeys(t *testing.T) {
	page := readDoc(t, "docs/reference/topology.md")
	var schema struct {
		Defs map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(topology.Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	kinds := 0
	for name, def := range schema.Defs {
		if def.Properties == nil {
			continue
		}
		kinds++
		sec := section(t, page, "topology.md", "(`"+name+"`)")
		keys := tableKeys(sec)
		for key := range def.Properties {
			if !slices.Contains(keys, key) {
				t.Errorf("topology.md: %s key %s is not documented", name, key)
			}
		}
		for _, key := range keys {
			if _, ok := def.Properties[key]; !ok {
				t.Errorf("topology.md: %s documents %s, which the schema does not have", name, key)
			}
		}
	}
	if kinds < 10 {
		t.Errorf("schema.json has %d object kinds; the walk is broken", kinds)
	}
}

// scenarioWith returns a scenario whose one step holds list (a `do` or
// `expect` list, one item a line), over a small inline topology.
func scenarioWith(list string) string {
	return "name: s\ntopology: {name: t, virtualNetworks: {A: {addressSpace: [10.1.0.0/16]}}}\nsteps:\n  - name: one\n" + list
}

var wantKeys = regexp.MustCompile(` takes (.*)$`)

// parserKeys returns the keys the scenario parser accepts for an item, read
// from the detail of the unknown-field diagnostic of an item with an
// unknown key ("createPeering takes vnet, name, ...").
func parserKeys(t *testing.T, doc string) []string {
	t.Helper()
	_, ds := scenarios.Parse("s.yaml", []byte(doc))
	for _, d := range ds {
		if d.Code == diag.UnknownField {
			if m := wantKeys.FindStringSubmatch(d.Detail); m != nil {
				return strings.Split(m[1], ", ")
			}
		}
	}
	t.Fatalf("no unknown-field listing the keys in:\n%s\n%v", doc, ds)
	return nil
}

// yamlExamples returns the ```yaml blocks of a section.
var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// Every event and expectation has a section of scenarios.md whose table
// lists exactly the keys the parser accepts, and whose example parses;
// the scenario's and a step's own keys are documented; the example at the
// top runs and passes.
func TestDocsCoverScenarioFormat(t *testing.T) {
	page := readDoc(t, "docs/reference/scenarios.md")
	check := func(kind, list, indent string) {
		sec := section(t, page, "scenarios.md", "`"+kind+"`")
		keys := parserKeys(t, scenarioWith(fmt.Sprintf("    %s:\n      - %s: {zzzz: 1}\n", list, kind)))
		documented := tableKeys(sec)
		if !slices.Equal(slices.Sorted(slices.Values(keys)), slices.Sorted(slices.Values(documented))) {
			t.Errorf("scenarios.md: %s documents keys %v; the parser takes %v", kind, documented, keys)
		}
		examples := yamlBlock.FindAllStringSubmatch(sec, -1)
		if len(examples) == 0 {
			t.Errorf("scenarios.md: %s has no example", kind)
		}
		for _, ex := range examples {
			item := strings.TrimSpace(ex[1])
			if !strings.HasPrefix(item, "- "+kind+":") {
				t.Errorf("scenarios.md: %s's example is not a %s: %s", kind, kind, item)
			}
			doc := scenarioWith(fmt.Sprintf("    %s:\n%s%s\n", list, indent, item))
			if _, ds := scenarios.Parse("s.yaml", []byte(doc)); ds.HasErrors() {
				t.Errorf("scenarios.md: %s's example does not parse: %v", kind, ds.Err())
			}
		}
	}
	for _, kind := range slices.Concat(event.Kinds, event.ExtensionKinds) {
		check(kind, "do", "      ")
	}
	for _, kind := range contracttest.Vocabulary(t, "Expectation kinds") {
		check(kind, "expect", "      ")
	}
	scenarioKeys := parserKeys(t, scenarioWith("")+"zzzz: 1\n")
	if got := tableKeys(section(t, page, "scenarios.md", "The scenario")); !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(scenarioKeys))) {
		t.Errorf("scenarios.md: the scenario's keys are documented as %v; the parser takes %v", got, scenarioKeys)
	}
	stepKeys := parserKeys(t, scenarioWith("    zzzz: 1\n"))
	if got := tableKeys(section(t, page, "scenarios.md", "Steps")); !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(stepKeys))) {
		t.Errorf("scenarios.md: a step's keys are documented as %v; the parser takes %v", got, stepKeys)
	}

	// The example at the top is a whole scenario that passes.
	example := yamlBlock.FindStringSubmatch(section(t, page, "scenarios.md", "An example"))
	if example == nil {
		t.Fatal("scenarios.md has no example scenario")
	}
	sc, ds := scenarios.Parse("example.yaml", []byte(example[1]))
	if sc == nil {
		t.Fatalf("the example scenario does not parse: %v", ds.Err())
	}
	if r := scenarios.Run(context.Background(), sc, scenarios.Options{}); !r.Passed {
		var out bytes.Buffer
		_ = reports.RunText(&out, &scenarios.Result{Scenarios: []scenarios.ScenarioResult{r}}, reports.Options{})
		t.Errorf("the example scenario fails:\n%s", out.String())
	}
}

// Every code vnetsim emits is in the vocabularies and has a section of
// codes.md; every drop reason is in the vocabularies.
func TestDocsCoverCodes(t *testing.T) {
	vocab := readDoc(t, "docs/reference/vocabularies.md")
	codes := readDoc(t, "docs/codes.md")
	all := slices.Concat(diag.ErrorCodes, diag.WarningCodes, diag.RefusalCodes,
		[]diag.Code{diag.FailedExpectation, diag.PeeringSyncRequired, diag.ReachabilityLost})
	for _, c := range all {
		if !strings.Contains(vocab, "| `"+string(c)+"` |") {
			t.Errorf("vocabularies.md does not list code %s", c)
		}
		if !strings.Contains(codes, "\n### "+string(c)+"\n") {
			t.Errorf("codes.md has no section for %s", c)
		}
	}
	for _, r := range sim.Reasons {
		if !strings.Contains(vocab, "| `"+string(r)+"` |") {
			t.Errorf("vocabularies.md does not list drop reason %s", r)
		}
	}
}

// Every field of every JSON output is documented in json.md. The outputs
// are real: each command runs on the test topologies, in cases that fill
// the optional fields (related locations, a failed trace check, a refused
// event, a plan, a reply).
func TestDocsCoverJSON(t *testing.T) {
	page := readDoc(t, "docs/reference/json.md")
	dir := t.TempDir()
	const chain, hub, broken = "testdata/chain.yaml", "testdata/hub-spoke.yaml", "testdata/broken.yaml"
	for _, args := range [][]string{
		{"validate", broken, chain},
		{"trace", hub, "--from", "app1", "--to", "op1", "--return"},
		{"routes", hub, "--subnet", "spoke1/app"},
		{"reach", chain},
		{"reach", chain, "--summary"},
		{"run", "testdata/pass.yaml", "testdata/fail.yaml"},
		{"lab", "run", "troubleshoot"},
		{"render", hub},
		{"diff", chain, "../../docs/tour/chain-widened.yaml"},
		{"lab", "list"},
		{"lab", "export", "acls", dir},
	} {
		_, stdout, stderr := vnetsim(t, append(args, "--format", "json")...)
		var doc any
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatalf("vnetsim %s: not JSON (%v):\n%s%s", strings.Join(args, " "), err, stdout, stderr)
		}
		for _, key := range jsonKeys(doc, nil) {
			if !strings.Contains(page, "`"+key+"`") && !strings.Contains(page, "."+key+"`") && !strings.Contains(page, " "+key+"`") {
				t.Errorf("json.md does not document %q (from vnetsim %s)", key, strings.Join(args, " "))
			}
		}
	}
}

// jsonKeys returns every object key in v, except inside values whose
// shape another page documents: a plan's event (a scenario event), a
// check's expected and actual (an expectation's fields) and a diagram's
// DOT attributes.
func jsonKeys(v any, into []string) []string {
	switch v := v.(type) {
	case map[string]any:
		for k, val := range v {
			if !slices.Contains(into, k) {
				into = append(into, k)
			}
			if k == "event" || k == "expected" || k == "actual" || k == "attributes" {
				continue
			}
			into = jsonKeys(val, into)
		}
	case []any:
		for _, val := range v {
			into = jsonKeys(val, into)
		}
	}
	return into
}

// markdownPages returns README.md, DEVELOPERS.md and every page under
// docs/, relative to the repository root.
func markdownPages(t *testing.T) []string {
	t.Helper()
	root := repoRoot(t)
	pages := []string{"README.md", "DEVELOPERS.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, _ := filepath.Rel(root, path)
			pages = append(pages, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

var (
	// inlineLink matches [text](target) and ![alt](target); the target
	// ends at the first space or closing parenthesis.
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	// refDefinition matches a reference definition: [label]: target.
	refDefinition = regexp.MustCompile(`(?m)^\[[^\]]+\]:\s+(\S+)`)
	// codeSpan matches `text` on one line.
	codeSpan = regexp.MustCompile("`([^`\n]+)`")
	// external is a link outside the repository.
	external = regexp.MustCompile(`^[a-z][a-z0-9+.-]*:`)
)

// anchors returns the GitHub anchors of a page's headings: lower case,
// punctuation but hyphens and underscores dropped, spaces as hyphens, and
// -1, -2 for repeats.
func anchors(page string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, h := range headings(page) {
		var b strings.Builder
		for _, r := range strings.ToLower(h.text) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127 && isLetter(r):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			out[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

func isLetter(r rune) bool { return strings.ContainsRune("éèàüöäßç", r) }

// Every relative link and image of the README, DEVELOPERS.md and docs/
// points at a file inside the repository, and at a heading that exists
// when it names an anchor. Repository paths written in code spans
// (`examples/hub-spoke.yaml`) exist too. Nothing points outside the
// repository at ../shared or cites a section number of a document that is
// not in it.
func TestDocsLinks(t *testing.T) {
	root := repoRoot(t)
	top, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var topNames []string
	for _, e := range top {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			topNames = append(topNames, e.Name())
		}
	}
	checked := 0
	for _, rel := range markdownPages(t) {
		page := readDoc(t, rel)
		fenced := fencedRanges(page)
		dir := filepath.Dir(filepath.Join(root, filepath.FromSlash(rel)))
		for _, bad := range []string{"../shared", "contract §", "semantics §", "shared/spec"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s mentions %q, which is not part of the repository", rel, bad)
			}
		}
		var targets []string
		for _, m := range inlineLink.FindAllStringSubmatchIndex(page, -1) {
			if !inRanges(m[0], fenced) {
				targets = append(targets, page[m[2]:m[3]])
			}
		}
		for _, m := range refDefinition.FindAllStringSubmatch(page, -1) {
			targets = append(targets, m[1])
		}
		for _, target := range targets {
			if external.MatchString(target) {
				continue
			}
			checked++
			path, anchor, _ := strings.Cut(target, "#")
			file := filepath.Join(root, filepath.FromSlash(rel))
			if path != "" {
				file = filepath.Join(dir, filepath.FromSlash(path))
			}
			if inside, _ := filepath.Rel(root, file); strings.HasPrefix(inside, "..") {
				t.Errorf("%s: link %s leaves the repository", rel, target)
				continue
			}
			info, err := os.Stat(file)
			if err != nil {
				t.Errorf("%s: link %s: no such file", rel, target)
				continue
			}
			if anchor != "" && !info.IsDir() && strings.HasSuffix(file, ".md") {
				b, _ := os.ReadFile(file)
				if !anchors(string(b))[anchor] {
					t.Errorf("%s: link %s: %s has no heading with anchor #%s", rel, target, filepath.Base(file), anchor)
				}
			}
		}
		for _, m := range codeSpan.FindAllStringSubmatchIndex(page, -1) {
			span, _, _ := strings.Cut(page[m[2]:m[3]], "#")
			if inRanges(m[0], fenced) || !isRepoPath(span, topNames) {
				continue
			}
			checked++
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(span))); err != nil {
				if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(span))); err != nil {
					t.Errorf("%s: path `%s` does not exist", rel, span)
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("checked only %d links and paths; the scan is broken", checked)
	}
}

// placeholder matches a path segment that stands for a name: NAME, DIR.
var placeholder = regexp.MustCompile(`^[A-Z]+$`)

// isRepoPath reports whether a code span is a path into the repository:
// a top-level entry, then a slash, without wildcards or placeholders.
func isRepoPath(span string, top []string) bool {
	first, _, ok := strings.Cut(span, "/")
	if !ok || !slices.Contains(top, first) || strings.ContainsAny(span, " {}*<>…$") {
		return false
	}
	for _, seg := range strings.Split(span, "/") {
		if placeholder.MatchString(seg) {
			return false
		}
	}
	return true
}

// No file of the repository, code comments and golden files included,
// points at ../shared or cites a section number of a document that is not
// in the repository: the reference is docs/.
func TestNoReferencesOutsideRepo(t *testing.T) {
	root := repoRoot(t)
	bad := []string{"../shared", "shared/spec", "contract §", "semantics §"}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") && name != ".github" || name == "bin" || name == "out") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, "docs_test.go") {
			return nil // this test names what it looks for
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range bad {
			if bytes.Contains(b, []byte(s)) {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s mentions %q", rel, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// DEVELOPERS.md's layout table has a row for every Go package of the
// repository, so that a package split or added shows up there.
func TestDevelopersLayoutListsEveryPackage(t *testing.T) {
	root := repoRoot(t)
	layout := readDoc(t, "DEVELOPERS.md")
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		if seen[rel] {
			return nil
		}
		seen[rel] = true
		if row := "\n| `" + filepath.ToSlash(rel) + "/` |"; !strings.Contains(layout, row) {
			t.Errorf("DEVELOPERS.md's layout table has no row for package %s/", filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
