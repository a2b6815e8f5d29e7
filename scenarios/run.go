package scenarios

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/internal/fileio"
	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Options tune a run.
type Options struct {
	// Clock returns the current time for Duration fields; nil leaves every
	// Duration zero, which keeps output byte-identical between runs (tests
	// and golden files rely on it).
	Clock func() time.Time
	// ReadFile reads the scenario files and the topology files they name;
	// nil is topology.ReadFile. A command passes its own to know every
	// file a run read.
	ReadFile ReadFunc
}

func (o Options) read() ReadFunc {
	if o.ReadFile == nil {
		return topology.ReadFile
	}
	return o.ReadFile
}

func (o Options) since(start time.Time) time.Duration {
	if o.Clock == nil {
		return 0
	}
	return o.Clock().Sub(start)
}

func (o Options) now() time.Time {
	if o.Clock == nil {
		return time.Time{}
	}
	return o.Clock()
}

// Run runs a parsed scenario: each step applies its events in order, then
// checks its expectations against the resulting network. A failed step does
// not stop the run, so a learner sees every failure at once. A cancelled ctx
// stops before the next step; the steps not run are missing from the result,
// which then fails.
func Run(ctx context.Context, sc *Scenario, opts Options) ScenarioResult {
	start := opts.now()
	res := ScenarioResult{Name: sc.Name, Path: sc.Filename, Description: sc.Description, Passed: true}
	if sc.Topology == nil {
		res.Passed = false
		res.Diagnostics = diag.Diagnostics{diag.Errorf(diag.MissingField, diag.P("topology"), "scenario %q has no loaded topology", sc.Name).
			At(diag.Range{Filename: sc.Filename})}
		return res
	}
	r := &runner{net: sc.Topology, start: sc.Topology, fileDiags: sc.fileDiags}
	for _, st := range sc.Steps {
		if err := ctx.Err(); err != nil {
			res.Passed = false
			res.Diagnostics = append(res.Diagnostics, diag.Errorf(diag.InvalidValue, nil, "run stopped before step %q: %v", st.Name, err).
				At(diag.Range{Filename: sc.Filename, Start: diag.Pos{Line: st.Line, Column: 1}}))
			break
		}
		sr := r.step(st, opts)
		res.Steps = append(res.Steps, sr)
		for _, c := range sr.Checks {
			res.MaxScore++
			if c.Passed {
				res.Score++
			}
		}
		if sr.UnexpectedRefusal() {
			res.MaxScore++ // a failed point, as the step fails
		}
		res.Passed = res.Passed && sr.Passed
	}
	if !res.Passed {
		res.Hints = slices.Clone(sc.Hints)
	}
	res.Duration = opts.since(start)
	return res
}

// runner holds the network as the steps evolve it, and an engine built
// lazily for the current network.
type runner struct {
	net       *topology.Network
	engine    *sim.Engine
	fileDiags diag.Diagnostics // the topology file's own diagnostics (Scenario.fileDiags)
	start     *topology.Network
	created   map[string]bool // VNets an accepted createVirtualNetwork made
}

// existed reports whether the VNet named name is in the scenario's starting
// topology or was created by an event so far, whether or not it still
// exists: a name never seen is a typo, which a check must not take for an
// absent object.
func (r *runner) existed(name string) bool {
	return r.start.VirtualNetworks[name] != nil || r.created[name]
}

func (r *runner) eng() *sim.Engine {
	if r.engine == nil {
		r.engine = sim.New(r.net)
	}
	return r.engine
}

func (r *runner) step(st Step, opts Options) StepResult {
	start := opts.now()
	sr := StepResult{Name: st.Name, Passed: true}
	var refusals []*event.Refusal
	for _, do := range st.Do {
		next, ref := event.Apply(r.net, do.Event)
		er := EventResult{Event: do.Event.Kind(), Accepted: ref == nil, Line: do.Line}
		if ref != nil {
			er.Code, er.Message = ref.Code, ref.Message
			refusals = append(refusals, ref)
		} else if next != r.net {
			r.net, r.engine = next, nil
		}
		if cv, ok := do.Event.(event.CreateVirtualNetwork); ok && ref == nil {
			if r.created == nil {
				r.created = map[string]bool{}
			}
			r.created[cv.Name] = true
		}
		sr.Events = append(sr.Events, er)
	}
	if st.ExpectRejected != "" {
		c := rejectedCheck(st.ExpectRejected, refusals)
		c.Line = st.Line
		sr.Checks = append(sr.Checks, c)
	} else if len(refusals) > 0 {
		sr.Passed = false
	}
	for _, c := range st.Expect {
		cr := c.Expectation.check(r)
		cr.Kind, cr.Line = c.Expectation.Kind(), c.Line
		sr.Checks = append(sr.Checks, cr)
	}
	for _, c := range sr.Checks {
		sr.Passed = sr.Passed && c.Passed
	}
	if !sr.Passed {
		sr.Hints = slices.Clone(st.Hints)
	}
	sr.Duration = opts.since(start)
	return sr
}

// RejectedKind is the Kind of the check a step's expectRejected makes: it
// passes when an event was refused with exactly the expected code and no
// event was refused with another.
const RejectedKind = "expectRejected"

func rejectedCheck(want diag.Code, refusals []*event.Refusal) CheckResult {
	c := CheckResult{Kind: RejectedKind, Target: "the step's events",
		Expected: map[string]any{"code": string(want)}, Actual: map[string]any{"code": ""}}
	var codes []string
	for _, r := range refusals {
		codes = append(codes, string(r.Code))
	}
	if len(codes) > 0 {
		c.Actual["code"] = strings.Join(codes, ", ")
	}
	switch {
	case len(refusals) == 0:
		c.Message = fmt.Sprintf("every event was accepted; expected a refusal with %s", want)
	case slices.ContainsFunc(refusals, func(r *event.Refusal) bool { return r.Code != want }):
		c.Message = fmt.Sprintf("an event was refused with %s, expected %s", c.Actual["code"], want)
	default:
		c.Passed = true
	}
	return c
}

// RunFiles runs scenario files and folders. A folder is searched, in name
// order and recursively, for *.yaml and *.yml files that look like
// scenarios (see looksLikeScenario), or that are not valid YAML; other YAML
// files in it (topologies, other tools' files) are skipped. Files named
// directly are always run. Scenarios appear in the order their paths were
// given, folders expanded in sorted order. An invalid file, or a file found
// in a folder that cannot be read, gives a failed ScenarioResult with its
// diagnostics; a path that does not exist, a file named directly that
// cannot be read (a named pipe, a file over the size limit), or a folder
// with no scenario file, is an error, returned before any scenario runs.
func RunFiles(ctx context.Context, paths []string, opts Options) (*Result, error) {
	read := opts.read()
	var files []scenarioFile
	for _, p := range paths {
		found, err := scenarioFiles(p, read)
		if err != nil {
			return nil, err
		}
		files = append(files, found...)
	}
	res := &Result{}
	for _, f := range files {
		if f.err != nil {
			res.Scenarios = append(res.Scenarios, ScenarioResult{Name: f.path, Path: f.path, Diagnostics: diag.Diagnostics{fileError(f.path, f.err)}})
			continue
		}
		sc, ds := parse(f.path, f.data, osTopology(f.path, read))
		if sc == nil {
			res.Scenarios = append(res.Scenarios, ScenarioResult{Name: f.path, Path: f.path, Diagnostics: ds})
			continue
		}
		res.Scenarios = append(res.Scenarios, Run(ctx, sc, opts))
	}
	return res, nil
}

// scenarioFile is one scenario file of a run: its contents, or, for a file
// found in a folder, the error reading it.
type scenarioFile struct {
	path string
	data []byte
	err  error
}

// scenarioFiles reads the scenario file p, or the scenario files of the
// folder p.
func scenarioFiles(p string, read ReadFunc) ([]scenarioFile, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("run: cannot read %s: %s", p, fileio.Message(err))
	}
	if !info.IsDir() {
		data, err := read(p)
		if err != nil {
			return nil, fmt.Errorf("run: cannot read %s: %s", p, fileio.Message(err))
		}
		return []scenarioFile{{path: p, data: data}}, nil
	}
	var out []scenarioFile
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := filepath.Ext(path)
		if d.IsDir() || (ext != ".yaml" && ext != ".yml") {
			return nil
		}
		// A file in the folder that cannot be read (a named pipe, a file
		// over the size limit) is kept, so that the run reports why as a
		// failed scenario and goes on with the others.
		if data, err := read(path); err != nil || looksLikeScenario(data) {
			out = append(out, scenarioFile{path: path, data: data, err: err})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("run: cannot read %s: %s", p, fileio.Message(err))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("run: %s holds no scenario files (a scenario is a *.yaml or *.yml file with steps and a topology)", p)
	}
	slices.SortFunc(out, func(a, b scenarioFile) int { return strings.Compare(a.path, b.path) })
	return out, nil
}

// looksLikeScenario reports whether data, a YAML file found in a folder,
// is meant as a scenario, so that a broken one is reported rather than
// skipped: its top-level mapping has a steps or topology key, or a near
// miss of one (Steps, setps, topolgy), which topology files never have; or
// it has description or hints and no key a scenario does not take. A
// topology file may have a name alone, so a name alone is not enough. A file that
// is not YAML is run too, so that its syntax error is reported. Topology
// files, and other tools' YAML with keys of their own, are not scenarios.
func looksLikeScenario(data []byte) bool {
	p := &parser{}
	root := p.document(data)
	if root == nil {
		return true
	}
	if root.Kind != yaml.MappingNode || len(root.Content) == 0 {
		return false
	}
	onlyScenarioKeys, scenarioOnly := true, false
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch k := strings.ToLower(root.Content[i].Value); {
		case nearMiss(k, "steps") || nearMiss(k, "topology"):
			return true
		case k == "description" || k == "hints":
			scenarioOnly = true
		case k != "name":
			onlyScenarioKeys = false
		}
	}
	return onlyScenarioKeys && scenarioOnly
}

// nearMiss reports whether key is word or one typing slip from it: at most
// two letters inserted, dropped, changed or swapped.
func nearMiss(key, word string) bool { return diag.EditDistance(key, word) <= 2 }
