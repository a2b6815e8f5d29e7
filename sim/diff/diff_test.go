package diff

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/vnetsim/vnetsim/internal/simtest"
	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// impactLists returns every plan step's full list of lost pairs.
func impactLists(res *Result) [][]ReachChange {
	var out [][]ReachChange
	for _, lost := range res.ImpactLists() {
		out = append(out, slices.Collect(lost))
	}
	return out
}

// diffCase is one before/after pair from testdata/NAME.txtar.
type diffCase struct {
	name          string
	before, after Input
}

func loadDiffCase(t testing.TB, path string) diffCase {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := diffCase{name: strings.TrimSuffix(filepath.Base(path), ".txtar")}
	for _, f := range ar.Files {
		in := checkInput(t, f.Name, f.Data)
		switch f.Name {
		case "before.yaml":
			c.before = in
		case "after.yaml":
			c.after = in
		default:
			t.Fatalf("%s: unexpected file %s", path, f.Name)
		}
	}
	if c.before.Network == nil || c.after.Network == nil {
		t.Fatalf("%s: needs before.yaml and after.yaml", path)
	}
	return c
}

// checkInput loads a topology the way the CLI does, failing loudly when it
// does not load at all.
func checkInput(t testing.TB, name string, data []byte) Input {
	t.Helper()
	n, sm, ds := topology.Check(name, data)
	if n == nil {
		t.Fatalf("%s does not load: %v", name, ds.Err())
	}
	return Input{Network: n, Source: sm, Diagnostics: ds}
}

func TestDiffGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no diff cases: %v", err)
	}
	for _, file := range files {
		c := loadDiffCase(t, file)
		t.Run(c.name, func(t *testing.T) {
			res, err := Compare(c.before, c.after, Options{})
			if err != nil {
				t.Fatal(err)
			}
			simtest.Golden(t, filepath.Join("testdata", c.name+".golden"), formatDiff(res))
		})
	}
}

// TestDiffPlanBothWays checks that every case's plan, and the plan of the
// same change undone, is accepted step by step and ends in the target.
func TestDiffPlanBothWays(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, file := range files {
		c := loadDiffCase(t, file)
		for _, dir := range []struct {
			name          string
			before, after *topology.Network
		}{
			{"forward", c.before.Network, c.after.Network},
			{"reverse", c.after.Network, c.before.Network},
		} {
			t.Run(c.name+"/"+dir.name, func(t *testing.T) {
				plan := MakePlan(dir.before, dir.after)
				if c.name == "introduced" && dir.name == "forward" {
					// The after-file's overlap is an error the platform
					// refuses: no plan can reach it.
					if plan.Verified {
						t.Fatal("a plan into an overlapping peering was verified")
					}
					return
				}
				if !plan.Verified {
					t.Fatalf("plan not verified:\n%s", strings.Join(plan.Problems, "\n"))
				}
				n := dir.before
				for i, s := range plan.Steps {
					var r *event.Refusal
					if n, r = event.Apply(n, s.Event); r != nil {
						t.Fatalf("step %d %s refused on replay: %v", i+1, s.Event.Kind(), r)
					}
				}
			})
		}
	}
}

// formatDiff renders a diff compactly for golden files; the user-facing
// renderings live in package reports.
func formatDiff(r *Result) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "platform %s\n\nchanges:\n", r.Platform)
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "  %-7s %s @%s\n          %s\n", c.Kind, c.Path, short(c.Subject), c.Message)
	}
	violations := func(title string, vs []Violation) {
		fmt.Fprintf(&b, "\n%s:\n", title)
		for _, v := range vs {
			resolved := ""
			if v.ResolvedByPlan {
				resolved = " (resolved by plan)"
			}
			fmt.Fprintf(&b, "  %s @%s%s\n          %s\n", v.Code, short(v.Subject), resolved, v.Message)
		}
	}
	violations("violations", r.Violations)
	violations("preexisting", r.Preexisting)
	fmt.Fprintf(&b, "\nplan (verified %t):\n", r.Plan.Verified)
	lists := impactLists(r)
	for i, s := range r.Plan.Steps {
		fmt.Fprintf(&b, "  %d. %s\n     why: %s\n", i+1, eventLine(s.Event), s.Why)
		for _, l := range lists[i] {
			fmt.Fprintf(&b, "     lost: %s\n", reachLine(l))
		}
	}
	for _, p := range r.Plan.Problems {
		fmt.Fprintf(&b, "  problem: %s\n", p)
	}
	for _, u := range r.Plan.Unplanned {
		fmt.Fprintf(&b, "  unplanned %s %s @%s: %s\n", u.Kind, u.Path, short(u.Subject), u.Message)
	}
	b.WriteString("\nreachability:\n")
	for _, g := range r.Reachability.Gained {
		fmt.Fprintf(&b, "  gained: %s\n", reachLine(g))
	}
	for _, l := range r.Reachability.Lost {
		fmt.Fprintf(&b, "  lost: %s\n", reachLine(l))
	}
	return b.Bytes()
}

func short(r diag.Range) string {
	return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line)
}

func reachLine(c ReachChange) string {
	s := fmt.Sprintf("%s → %s %s (was %s)", c.From, c.To, c.Result, c.Before)
	if c.Reason != "" {
		s += " " + string(c.Reason)
	}
	if c.Lasting {
		s += " (lasting)"
	}
	return s
}

func eventLine(ev event.Event) string { return ev.Kind() + " " + fieldsLine(ev.Fields()) }

func fieldsLine(fs []event.Field) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		switch v := f.Value.(type) {
		case []event.Field:
			parts[i] = f.Name + ": " + fieldsLine(v)
		default:
			parts[i] = fmt.Sprintf("%s: %v", f.Name, v)
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// Address-space edits are refused as direct edits only while the VNet is
// peered with the same VNet in both files (docs/semantics.md#address-space-changes): windows-sdn locks the space,
// azure needs a sync the plan provides.
func TestAddressSpaceViolations(t *testing.T) {
	const peered = `
    peerings:
      a-to-b: {remoteVirtualNetwork: b}
  b:
    addressSpace: [10.2.0.0/16]
    peerings:
      b-to-a: {remoteVirtualNetwork: a}
`
	const alone = `
  b:
    addressSpace: [10.2.0.0/16]
`
	// a's only peering swaps remote: b goes, c comes. The plan deletes
	// a↔b before the range changes and creates a↔c after, so a is never
	// peered while its space changes; nothing is refused.
	const swapped = `
    peerings:
      a-to-c: {remoteVirtualNetwork: c}
  b:
    addressSpace: [10.2.0.0/16]
  c:
    addressSpace: [10.3.0.0/16]
    peerings:
      c-to-a: {remoteVirtualNetwork: a}
`
	const peeredAndC = peered + `  c:
    addressSpace: [10.3.0.0/16]
`
	file := func(platform, space, rest string) []byte {
		return []byte("name: t\nplatform: " + platform + "\nvirtualNetworks:\n  a:\n    addressSpace: [" + space + "]" + rest)
	}
	for _, tc := range []struct {
		name          string
		before, after []byte
		want          diag.Code
		resolved      bool
	}{
		{"windows-sdn added while peered", file("windows-sdn", "10.1.0.0/16", peered), file("windows-sdn", "10.1.0.0/16, 10.9.0.0/16", peered), diag.AddressSpaceLocked, false},
		{"windows-sdn removed while peered", file("windows-sdn", "10.1.0.0/16, 10.9.0.0/16", peered), file("windows-sdn", "10.1.0.0/16", peered), diag.AddressSpaceLocked, false},
		{"windows-sdn peered only before", file("windows-sdn", "10.1.0.0/16", peered), file("windows-sdn", "10.1.0.0/16, 10.9.0.0/16", alone), "", false},
		{"windows-sdn peered only after", file("windows-sdn", "10.1.0.0/16", alone), file("windows-sdn", "10.1.0.0/16, 10.9.0.0/16", peered), "", false},
		{"windows-sdn peering swapped to another VNet", file("windows-sdn", "10.1.0.0/16", peeredAndC), file("windows-sdn", "10.1.0.0/16, 10.9.0.0/16", swapped), "", false},
		{"windows-sdn unchanged space", file("windows-sdn", "10.1.0.0/16", peered), file("windows-sdn", "10.1.0.0/16", peered), "", false},
		{"azure resized while Connected", file("azure", "10.1.0.0/16", peered), file("azure", "10.1.0.0/16, 10.9.0.0/16", peered), diag.PeeringSyncRequired, true},
		{"azure resized while not peered", file("azure", "10.1.0.0/16", alone), file("azure", "10.1.0.0/16, 10.9.0.0/16", alone), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := checkInput(t, "before.yaml", tc.before).Network
			a := checkInput(t, "after.yaml", tc.after).Network
			vs := addressSpaceViolations(b, a)
			switch {
			case tc.want == "" && len(vs) > 0:
				t.Errorf("got %v, want no violation", vs)
			case tc.want != "" && (len(vs) != 1 || vs[0].Code != tc.want || vs[0].ResolvedByPlan != tc.resolved):
				t.Errorf("got %+v, want one %s (resolved by plan %t)", vs, tc.want, tc.resolved)
			}
		})
	}
}

// An error the before-file already had stays preexisting when its object
// moves in a list; the same error on another object is new.
func TestIntroducedErrors(t *testing.T) {
	file := func(routes string) []byte {
		return []byte(`name: t
virtualNetworks:
  a:
    addressSpace: [10.0.0.0/16]
    subnets:
      s1: {addressPrefix: 10.0.1.0/24, routeTable: rt}
routeTables:
  rt:
    routes:
` + routes)
	}
	const (
		bad   = "      - {name: bad, addressPrefix: 10.8.0.0/16, nextHopType: None, nextHopIpAddress: 10.0.1.4}\n"
		worse = "      - {name: worse, addressPrefix: 10.9.0.0/16, nextHopType: Internet, nextHopIpAddress: 10.0.1.4}\n"
		good  = "      - {name: good, addressPrefix: 10.7.0.0/16, nextHopType: None}\n"
	)
	for _, tc := range []struct {
		name                    string
		before, after           string
		introduced, preexisting int
	}{
		{"unchanged", bad, bad, 0, 1},
		{"moved down a route", bad, good + bad, 0, 1},
		{"a second broken route", bad, bad + worse, 1, 1},
		{"fixed", bad, good, 0, 0},
		{"broken anew", good, good + bad, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := checkInput(t, "before.yaml", file(tc.before))
			a := checkInput(t, "after.yaml", file(tc.after))
			in, pre := introducedErrors(b.Network, a.Network, b.Diagnostics, a.Diagnostics)
			if len(in) != tc.introduced || len(pre) != tc.preexisting {
				t.Errorf("introduced %v, preexisting %v; want %d and %d", in, pre, tc.introduced, tc.preexisting)
			}
		})
	}
}

// The emitted scenario runs on the before-file, whose loader errors (an
// unknown field) no event removes: it expects valid: {} only when neither
// file has errors a run would count.
func TestDiffScenarioValidNeedsACleanBeforeFile(t *testing.T) {
	const file = `
name: t
networkController: nc1
virtualNetworks:
  A: {addressSpace: [10.1.0.0/16]EXTRA}
  B: {addressSpace: [10.2.0.0/16]}
`
	clean := strings.ReplaceAll(file, "EXTRA", "")
	typo := strings.ReplaceAll(file, "EXTRA", ", colour: blue")
	for _, tc := range []struct {
		name          string
		before, after string
		valid         bool
	}{
		{"both clean", clean, clean, true},
		{"the after-file has an error", clean, typo, false},
		{"the before-file has a loader error", typo, clean, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Compare(checkInput(t, "before.yaml", []byte(tc.before)), checkInput(t, "after.yaml", []byte(tc.after)), Options{NoImpact: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Expect.Valid != tc.valid {
				t.Errorf("Expect.Valid = %v, want %v", res.Expect.Valid, tc.valid)
			}
		})
	}
}

// Two networks on different platforms cannot be compared, unless one holds
// nothing (an export that lists nothing reads as azure): then it takes the
// other's platform, so that a first deployment can be reviewed.
func TestComparePlatforms(t *testing.T) {
	const vnet = "virtualNetworks:\n  a:\n    addressSpace: [10.1.0.0/16]\n"
	sdn := checkInput(t, "sdn.yaml", []byte("name: t\nplatform: windows-sdn\nnetworkController: nc1\n"+vnet))
	az := checkInput(t, "az.yaml", []byte("name: t\nplatform: azure\n"+vnet))
	empty := checkInput(t, "empty.yaml", []byte("name: t\nplatform: azure\n"))
	if _, err := Compare(az, sdn, Options{}); err == nil {
		t.Error("azure against windows-sdn compared")
	}
	for _, pair := range [][2]Input{{empty, sdn}, {sdn, empty}} {
		res, err := Compare(pair[0], pair[1], Options{})
		if err != nil {
			t.Errorf("an empty network against windows-sdn: %v", err)
			continue
		}
		if res.Platform != topology.WindowsSDN || !res.Plan.Verified {
			t.Errorf("an empty network against windows-sdn: platform %v, plan %+v", res.Platform, res.Plan.Problems)
		}
	}
}
