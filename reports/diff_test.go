package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/sim/diff"
	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// diffFixture is the fixed input of every diff format: a change of each
// kind, a forbidden edit, a violation the plan resolves, a preexisting
// error, a plan whose steps lose and keep reachability, an unplanned
// change, and reachability gained and lost.
func diffFixture() *diff.Result {
	path := func(s ...string) diag.Path { return diag.P(s...) }
	return withImpactCounts(&diff.Result{
		Before: "before.yaml", After: "after.yaml", Platform: topology.WindowsSDN,
		Changes: []diff.Change{
			{Kind: diff.Added, Path: path("virtualNetworks", "spoke1", "addressSpace", "1"), Subject: at("after.yaml", 12, 7),
				Message: "virtual network spoke1: address range 10.11.0.0/16 added"},
			{Kind: diff.Changed, Path: path("virtualNetworks", "hub", "peerings", "hub-to-spoke1", "allowForwardedTraffic"), Subject: at("after.yaml", 9, 30),
				Message: "virtual network hub: peering hub-to-spoke1: allowForwardedTraffic false → true"},
			{Kind: diff.Removed, Path: path("virtualNetworks", "spoke2"), Subject: at("before.yaml", 20, 3),
				Message: "virtual network spoke2 removed"},
		},
		Violations: []diff.Violation{
			{Code: diag.AddressSpaceLocked, Path: path("virtualNetworks", "spoke1", "addressSpace", "1"), Subject: at("after.yaml", 12, 7),
				Message: "virtual network spoke1: adding address range 10.11.0.0/16 while peered with hub is refused"},
			{Code: diag.PeeringSyncRequired, ResolvedByPlan: true, Path: path("virtualNetworks", "spoke1", "addressSpace", "1"), Subject: at("after.yaml", 12, 7),
				Message: "virtual network spoke1: the plan syncs the peerings | with a pipe"},
		},
		Preexisting: []diff.Violation{
			{Code: diag.RouteNextHopInvalid, Path: path("routeTables", "rt", "routes", "0"), Subject: at("after.yaml", 30, 9),
				Message: "route rt/bad: nextHopIpAddress is only valid with VirtualAppliance"},
		},
		Plan: diff.Plan{
			Verified: true,
			Steps: []diff.PlanStep{
				{Event: event.DeletePeering{Peering: event.PeeringRef{VNet: "hub", Name: "hub-to-spoke1"}}, Why: "windows-sdn locks spoke1's address space while it is peered",
					Impact: diff.Impact{Lost: []diff.ReachChange{
						{From: "hub/shared", To: "spoke1/app", Result: sim.OutcomeNone, Before: sim.OutcomeAll, Reason: sim.PeeringNotConnected, Explanation: "create the peering from hub to spoke1"},
						{From: "spoke1/app", To: "hub/shared", Result: sim.OutcomeNone, Before: sim.OutcomeAll, Reason: sim.PeeringNotConnected},
						{From: "spoke2/app", To: "hub/shared", Result: sim.OutcomeNone, Before: sim.OutcomeAll, Reason: sim.NotPeered, Lasting: true},
					}}},
				{Event: event.DeletePeering{Peering: event.PeeringRef{VNet: "spoke1", Name: "spoke1-to-hub"}}, Why: "windows-sdn locks spoke1's address space while it is peered",
					Impact: diff.Impact{Lost: []diff.ReachChange{
						{From: "hub/shared", To: "spoke1/app", Result: sim.OutcomeNone, Before: sim.OutcomeAll, Reason: sim.NotPeered, Explanation: "create the peering from hub to spoke1"},
						{From: "spoke1/app", To: "hub/shared", Result: sim.OutcomeNone, Before: sim.OutcomeAll, Reason: sim.NotPeered},
					}}},
				{Event: event.AddAddressPrefix{VNet: "spoke1", Prefix: netip.MustParsePrefix("10.11.0.0/16")}, Why: "the after-file adds this range",
					Impact: diff.Impact{Lost: []diff.ReachChange{
						{From: "hub/shared", To: "spoke1/app", Result: sim.OutcomeNone, Before: sim.OutcomeAll, Reason: sim.NotPeered, Explanation: "create the peering from hub to spoke1"},
						{From: "spoke1/app", To: "hub/shared", Result: sim.OutcomeNone, Before: sim.OutcomeAll, Reason: sim.NotPeered},
					}}},
				{Event: event.CreatePeering{VNet: "hub", Name: "hub-to-spoke1", RemoteVirtualNetwork: "spoke1", Flags: event.PeeringFlags{topology.FlagAllowForwardedTraffic: event.Bool(true)}},
					Why: "re-create the peering now that the address space has changed"},
			},
			Unplanned: []diff.Change{{Kind: diff.Added, Path: path("onPremises", "dc2"), Subject: at("after.yaml", 40, 3), Message: "on-premises site dc2 added (no event creates one)"}},
		},
		Reachability: diff.ReachDelta{
			Gained: []diff.ReachChange{{From: "hub/shared", To: "spoke1/data", Result: sim.OutcomeAll}},
			Lost: []diff.ReachChange{{From: "hub/shared", To: "spoke2/app", Result: sim.OutcomeSome, Before: sim.OutcomeAll,
				Reason: sim.ACLDenied, Explanation: "web-acl/deny-rdp (priority 210) denies TCP 3389"}},
		},
	})
}

// withImpactCounts fills the counts of each plan step's Impact from its
// Lost, as diff.Compare does: the fixture's steps list every pair they lose.
func withImpactCounts(r *diff.Result) *diff.Result {
	for i := range r.Plan.Steps {
		imp := &r.Plan.Steps[i].Impact
		imp.Count = len(imp.Lost)
		for _, l := range imp.Lost {
			if !l.Lasting {
				imp.Transient++
			}
		}
		if i > 0 && imp.Count > 0 {
			imp.Same = slices.EqualFunc(imp.Lost, r.Plan.Steps[i-1].Impact.Lost, func(x, y diff.ReachChange) bool {
				return x.From == y.From && x.To == y.To && x.Result == y.Result && x.Reason == y.Reason
			})
		}
	}
	return r
}

func TestDiffFormats(t *testing.T) {
	res := diffFixture()
	for _, tc := range []struct {
		name   string
		render func(w io.Writer) error
	}{
		{"text", func(w io.Writer) error { return DiffText(w, res, DiffOptions{}) }},
		{"text-fail-on-lost", func(w io.Writer) error { return DiffText(w, res, DiffOptions{FailOnLost: true}) }},
		{"json", func(w io.Writer) error { return DiffJSON(w, res, false) }},
		{"markdown", func(w io.Writer) error { return DiffMarkdown(w, res, false) }},
		{"sarif", func(w io.Writer) error { return DiffSARIF(w, res) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, "diff-"+tc.name, render(t, func(w *bytes.Buffer) error { return tc.render(w) }))
		})
	}
}

// TestDiffJSONContract pins the field names of docs/reference/json.md: renaming one
// breaks this test, not a pipeline.
func TestDiffJSONContract(t *testing.T) {
	var buf bytes.Buffer
	if err := DiffJSON(&buf, diffFixture(), false); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	object := func(v any) map[string]any { m, _ := v.(map[string]any); return m }
	first := func(v any) map[string]any {
		if l, ok := v.([]any); ok && len(l) > 0 {
			return object(l[0])
		}
		return nil
	}
	reach := object(doc["reachability"])
	step := first(doc["plan"])
	for _, tc := range []struct {
		name string
		obj  map[string]any
		keys []string
	}{
		{"top", doc, []string{"changes", "violations", "plan", "reachability"}},
		{"change", first(doc["changes"]), []string{"kind", "path", "line", "message"}},
		{"violation", first(doc["violations"]), []string{"code", "message", "line"}},
		{"plan step", step, []string{"event", "impact"}},
		{"impact", object(step["impact"]), []string{"lost"}},
		{"reachability", reach, []string{"gained", "lost"}},
		{"gained", first(reach["gained"]), []string{"from", "to", "result"}},
		{"lost", first(reach["lost"]), []string{"from", "to", "result", "reason"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.obj == nil {
				t.Fatal("missing")
			}
			for _, k := range tc.keys {
				if _, ok := tc.obj[k]; !ok {
					t.Errorf("no %q in %v", k, tc.obj)
				}
			}
		})
	}
	// An event is one scenario event: {"deletePeering": {"vnet": ..., "name": ...}}.
	ev := object(step["event"])
	if args := object(ev["deletePeering"]); len(ev) != 1 || args["vnet"] != "hub" || args["name"] != "hub-to-spoke1" {
		t.Errorf("event = %v, want {deletePeering: {vnet: hub, name: hub-to-spoke1}}", ev)
	}
	if got := object(first(doc["changes"]))["path"]; got != "virtualNetworks.spoke1.addressSpace[1]" {
		t.Errorf("change path = %v, want the model path string", got)
	}
}

// An empty diff still prints every list, as [] rather than null.
func TestDiffJSONEmptyLists(t *testing.T) {
	var buf bytes.Buffer
	if err := DiffJSON(&buf, &diff.Result{Plan: diff.Plan{Verified: true}}, false); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"changes": []`, `"violations": []`, `"plan": []`, `"gained": []`, `"lost": []`} {
		if !bytes.Contains(buf.Bytes(), []byte(key)) {
			t.Errorf("empty diff JSON lacks %s:\n%s", key, buf.Bytes())
		}
	}
}

// The verdict follows diff.Result.Failed: violations the plan resolves do not
// fail, lost reachability fails only with --fail-on-lost.
func TestDiffVerdict(t *testing.T) {
	resolved := diff.Violation{Code: diag.PeeringSyncRequired, ResolvedByPlan: true}
	forbidden := diff.Violation{Code: diag.AddressSpaceLocked}
	lost := diff.ReachDelta{Lost: []diff.ReachChange{{From: "a/s", To: "b/s", Result: sim.OutcomeNone}}}
	for _, tc := range []struct {
		name       string
		r          diff.Result
		failOnLost bool
		want       string
	}{
		{"nothing", diff.Result{}, false, "OK"},
		{"resolved by plan", diff.Result{Violations: []diff.Violation{resolved}}, false, "OK"},
		{"forbidden", diff.Result{Violations: []diff.Violation{resolved, forbidden}}, false, "FAIL: 1 violation"},
		{"lost without flag", diff.Result{Reachability: lost}, false, "OK"},
		{"lost with flag", diff.Result{Reachability: lost}, true, "FAIL: 1 subnet pair lost (--fail-on-lost)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := diffVerdict(&tc.r, tc.failOnLost); got != tc.want {
				t.Errorf("verdict = %q, want %q", got, tc.want)
			}
			if failed := tc.r.Failed(tc.failOnLost); failed != (tc.want != "OK") {
				t.Errorf("Failed = %t, verdict %q", failed, tc.want)
			}
		})
	}
}

// The diff's SARIF log validates against the SARIF 2.1.0 schema kept in
// testdata.
func TestDiffSARIFSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := DiffSARIF(&buf, diffFixture()); err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	sch, err := c.Compile("testdata/sarif-2.1.0.schema.json")
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("diff SARIF does not validate: %v", err)
	}
}

// SARIF lists at most maxSARIFLost lost pairs and says how many it left out.
func TestDiffSARIFCapsLostPairs(t *testing.T) {
	r := &diff.Result{After: "after.yaml", Plan: diff.Plan{Verified: true}}
	for i := range maxSARIFLost + 50 {
		r.Reachability.Lost = append(r.Reachability.Lost, diff.ReachChange{
			From: "a/s", To: fmt.Sprintf("b/s%03d", i), Result: sim.OutcomeNone, Before: sim.OutcomeAll, Reason: sim.NotPeered})
	}
	var buf bytes.Buffer
	if err := DiffSARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	results := log.Runs[0].Results
	if len(results) != maxSARIFLost {
		t.Fatalf("%d results, want %d", len(results), maxSARIFLost)
	}
	if last := results[len(results)-1].Message.Text; !strings.Contains(last, "and 50 more") {
		t.Errorf("last result %q does not say how many were left out", last)
	}
}

// Text and Markdown list at most maxListedPairs gained and lost pairs and
// say how many more JSON has; JSON lists them all.
func TestDiffListsAreCapped(t *testing.T) {
	r := &diff.Result{Plan: diff.Plan{Verified: true}}
	for i := range maxListedPairs + 7 {
		r.Reachability.Gained = append(r.Reachability.Gained, diff.ReachChange{From: "a/s", To: fmt.Sprintf("b/s%03d", i), Result: sim.OutcomeAll, Before: sim.OutcomeNone})
	}
	for _, tc := range []struct {
		name   string
		render func(w io.Writer) error
		want   string
	}{
		{"text", func(w io.Writer) error { return DiffText(w, r, DiffOptions{}) }, "… and 7 more gained"},
		{"markdown", func(w io.Writer) error { return DiffMarkdown(w, r, false) }, "7 more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.render(&buf); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tc.want) || strings.Contains(buf.String(), fmt.Sprintf("b/s%03d", maxListedPairs)) {
				t.Errorf("%s does not stop at %d pairs saying %q", tc.name, maxListedPairs, tc.want)
			}
		})
	}
	var buf bytes.Buffer
	if err := DiffJSON(&buf, r, false); err != nil || !strings.Contains(buf.String(), fmt.Sprintf("b/s%03d", maxListedPairs+6)) {
		t.Errorf("JSON does not list every pair (%v)", err)
	}
}

// Over its cap of lost pairs for the whole plan, JSON lists each step's
// first pairs with the step's counts; under it, every pair. Text and
// Markdown count from Impact whatever Impact.Lost holds.
func TestDiffJSONCapsThePlansImpact(t *testing.T) {
	r := diffFixture()
	total := 0
	for _, s := range r.Plan.Steps {
		total += s.Impact.Count
	}
	type step struct {
		Impact struct {
			Lost           []map[string]any `json:"lost"`
			LostCount      *int             `json:"lostCount"`
			TransientCount *int             `json:"transientCount"`
			Truncated      *bool            `json:"truncated"`
		} `json:"impact"`
	}
	for _, tc := range []struct {
		name      string
		max, head int
	}{{"under the cap", total, 100}, {"over the cap", total - 1, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			r := diffFixture()
			for i := range r.Plan.Steps {
				// Compare keeps at most 100 pairs in Impact.Lost; here one.
				imp := &r.Plan.Steps[i].Impact
				imp.Lost = imp.Lost[:min(tc.head, len(imp.Lost))]
			}
			var buf bytes.Buffer
			if err := diffJSON(&buf, r, false, tc.max); err != nil {
				t.Fatal(err)
			}
			var doc struct{ Plan []step }
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			for i, s := range doc.Plan {
				imp, want := s.Impact, r.Plan.Steps[i].Impact
				capped := tc.max < total
				if capped != (imp.Truncated != nil) || len(imp.Lost) != len(want.Lost) {
					t.Errorf("step %d: %d pairs listed, truncated %v; want %d, capped %t", i+1, len(imp.Lost), imp.Truncated, len(want.Lost), capped)
				}
				if capped && (*imp.LostCount != want.Count || *imp.TransientCount != want.Transient || *imp.Truncated != (want.Count > len(want.Lost))) {
					t.Errorf("step %d: counts %d, %d, truncated %t; want %d, %d", i+1, *imp.LostCount, *imp.TransientCount, *imp.Truncated, want.Count, want.Transient)
				}
			}
			var text bytes.Buffer
			if err := DiffText(&text, r, DiffOptions{}); err != nil || !strings.Contains(text.String(), "3 subnet pairs lost, 2 of them transient") ||
				(tc.head == 1 && !strings.Contains(text.String(), "… and 2 more")) {
				t.Errorf("text does not count from Impact (%v):\n%s", err, text.String())
			}
		})
	}
}

// TestDiffPrintsStepsAsScenarioLines pins that the text and Markdown reports
// print a plan step as the line --emit-scenario writes for it: lists of
// mappings (load balancer and ACL rules) used to come out as Go's %v,
// rules: [[{protocol TCP} {frontendPort 443} {backendPort 443}]].
func TestDiffPrintsStepsAsScenarioLines(t *testing.T) {
	lb := event.SetLoadBalancer{VNet: "hub", Name: "lb", Subnet: "web", FrontendIPAddress: netip.MustParseAddr("10.0.1.10"),
		Rules: []topology.LoadBalancerRule{{Protocol: topology.TCP, FrontendPort: 443, BackendPort: 443}}}
	acl := event.CreateAccessControlList{Name: "web-acl", Rules: []topology.ACLRule{
		{Name: "allow-web", Priority: 100, Protocol: topology.TCP}}}
	res := &diff.Result{Before: "before.yaml", After: "after.yaml", Plan: diff.Plan{Verified: true, Steps: []diff.PlanStep{
		{Event: lb, Why: "the after-file adds it"}, {Event: acl, Why: "the after-file adds it"}}}}
	want := []string{
		"setLoadBalancer {vnet: hub, name: lb, subnet: web, frontendIpAddress: 10.0.1.10, sku: Standard, rules: [{protocol: TCP, frontendPort: 443, backendPort: 443}]}",
		"createAccessControlList {name: web-acl, inboundDefaultAction: Allow, outboundDefaultAction: Allow, rules: [{name: allow-web, priority: 100, type: Inbound, action: Allow, protocol: TCP, sourceAddressPrefixes: [], sourcePortRanges: [], destinationAddressPrefixes: [], destinationPortRanges: []}]}",
	}
	for _, tc := range []struct {
		name   string
		render func(w *bytes.Buffer) error
	}{
		{"text", func(w *bytes.Buffer) error { return DiffText(w, res, DiffOptions{}) }},
		{"markdown", func(w *bytes.Buffer) error { return DiffMarkdown(w, res, false) }},
	} {
		out := string(render(t, tc.render))
		for _, line := range want {
			if !strings.Contains(out, line) {
				t.Errorf("%s: the plan does not print %q:\n%s", tc.name, line, out)
			}
		}
	}
}
