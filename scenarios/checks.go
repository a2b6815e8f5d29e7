package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Every check fills Expected and Actual under the expectation's own field
// names (docs/reference/json.md), and says why it failed in Message.

func (e PeeringExpectation) check(r *runner) CheckResult {
	ref := e.Peering
	c := CheckResult{Target: "peering " + describeRef(ref), Expected: map[string]any{"state": e.State.String()}}
	for _, name := range []string{ref.VNet, ref.RemoteVirtualNetwork} {
		if name != "" && !r.existed(name) {
			// Nothing was observed: no state outside the vocabulary.
			c.Actual = map[string]any{}
			msg := fmt.Sprintf("no virtual network %q: it is not in the scenario's topology and no event created it", name)
			if s := diag.Suggest(name, slices.Sorted(maps.Keys(r.net.VirtualNetworks))); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return finish(c, []string{msg})
		}
	}
	p := ref.Find(r.net)
	state := r.net.PeeringState(ref.VNet, p)
	c.Actual = map[string]any{"state": state.String()}
	var problems []string
	if state != e.State {
		problems = append(problems, fmt.Sprintf("state is %s, expected %s", state, e.State))
	}
	if e.SyncLevel != nil {
		c.Expected["syncLevel"] = e.SyncLevel.String()
	}
	if e.SyncLevel != nil || (r.net.Platform.Rules().PeeringSync && p != nil) {
		level := r.net.SyncLevel(ref.VNet, p)
		c.Actual["syncLevel"] = level.String()
		if e.SyncLevel != nil && level != *e.SyncLevel {
			problems = append(problems, fmt.Sprintf("sync level is %s, expected %s", level, *e.SyncLevel))
		}
	}
	return finish(c, problems)
}

func describeRef(r event.PeeringRef) string {
	if r.Name != "" {
		return r.VNet + "/" + r.Name
	}
	return r.VNet + " → " + r.RemoteVirtualNetwork
}

// finish sets Passed and Message from the problems found.
func finish(c CheckResult, problems []string) CheckResult {
	c.Passed = len(problems) == 0
	c.Message = strings.Join(problems, "; ")
	return c
}

func (e TraceExpectation) check(r *runner) CheckResult {
	target := fmt.Sprintf("trace %s → %s %s", e.From, e.To, e.Protocol)
	if e.Protocol.HasPorts() {
		target += fmt.Sprintf("/%d", e.Port)
	}
	c := CheckResult{Target: target, Expected: map[string]any{"result": e.Result.String()}}
	if e.Reason != "" {
		c.Expected["reason"] = string(e.Reason)
	}
	if e.Via != nil {
		c.Expected["via"] = slices.Clone(e.Via)
	}
	flow, err := r.eng().NewFlow(e.From, e.To, e.Protocol, e.Port)
	if err != nil {
		c.Actual = map[string]any{"result": "", "reason": "", "via": []string{}}
		return finish(c, []string{err.Error()})
	}
	tr := r.eng().Trace(flow)
	c.Trace = &tr
	c.Actual = map[string]any{"result": tr.Result.String(), "reason": string(tr.Reason), "via": hopNodes(tr)}
	return finish(c, e.Mismatch(tr))
}

// Mismatch says how tr differs from the expectation's result, reason and
// via, one phrase each, followed by the trace's explanation; nil when tr
// meets it. From and To are not compared: tr is taken to be their trace.
// `vnetsim trace --expect` grades a trace with it too.
func (e TraceExpectation) Mismatch(tr sim.Trace) []string {
	var problems []string
	if tr.Result != e.Result {
		problems = append(problems, fmt.Sprintf("result is %s, expected %s", describeFate(tr.Result, tr.Reason), e.Result))
	}
	if e.Reason != "" && tr.Reason != e.Reason {
		problems = append(problems, fmt.Sprintf("reason is %q, expected %q", tr.Reason, e.Reason))
	}
	if via := hopNodes(tr); e.Via != nil && !isSubsequence(e.Via, via) {
		problems = append(problems, fmt.Sprintf("the packet went via [%s], which does not pass [%s] in that order",
			strings.Join(via, ", "), strings.Join(e.Via, ", ")))
	}
	if len(problems) > 0 && tr.Explanation != "" {
		problems = append(problems, tr.Explanation)
	}
	return problems
}

func describeFate(res sim.Result, why sim.Reason) string {
	if why != "" {
		return fmt.Sprintf("%s (%s)", res, why)
	}
	return res.String()
}

func hopNodes(tr sim.Trace) []string {
	out := make([]string, 0, len(tr.Hops))
	for _, h := range tr.Hops {
		out = append(out, h.Node)
	}
	return out
}

// isSubsequence reports whether want appears in got in order, not
// necessarily next to each other: `via: [nva1]` holds for a1 → nva1 → b1.
func isSubsequence(want, got []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

func (e ValidExpectation) check(r *runner) CheckResult {
	ds := validate(r, e.Warnings != nil)
	errs, warns := codeStrings(ds.Codes(diag.Error)), codeStrings(ds.Codes(diag.Warning))
	c := CheckResult{Target: "validation of the network", Expected: map[string]any{},
		Actual: map[string]any{"errors": errs, "warnings": warns}}
	var problems []string
	if len(e.Errors) == 0 { // valid: {} and errors: [] both mean no errors at all
		c.Expected["errors"] = []string{}
		if len(errs) > 0 {
			problems = append(problems, fmt.Sprintf("expected no errors, got %s: %s", strings.Join(errs, ", "), firstMessage(ds, diag.Error)))
		}
	} else {
		c.Expected["errors"] = codeStrings(e.Errors)
		problems = append(problems, missing("error", e.Errors, errs)...)
	}
	if e.Warnings != nil {
		c.Expected["warnings"] = codeStrings(e.Warnings)
		problems = append(problems, missing("warning", e.Warnings, warns)...)
	}
	return finish(c, problems)
}

// validate returns the topology file's own diagnostics (loader errors are
// errors), the model's and, when lints is set, the engine's lints, from
// the step's engine. Lints are warnings only and cost a walk of every
// appliance route, so a check that names no warnings does not pay for
// them.
func validate(r *runner, lints bool) diag.Diagnostics {
	return r.eng().Validate(sim.ValidateOptions{Loaded: r.fileDiags, NoLints: !lints})
}

func firstMessage(ds diag.Diagnostics, s diag.Severity) string {
	for _, d := range ds {
		if d.Severity == s {
			return d.Message()
		}
	}
	return ""
}

func missing(what string, want []diag.Code, got []string) []string {
	var out []string
	for _, c := range want {
		if !slices.Contains(got, string(c)) {
			out = append(out, fmt.Sprintf("expected %s %s, which is not reported", what, c))
		}
	}
	return out
}

func (e RoutesExpectation) check(r *runner) CheckResult {
	c := CheckResult{Target: "routes of " + e.VNet + "/" + e.Subnet}
	want := make([]map[string]any, len(e.Contains))
	for i, rs := range e.Contains {
		want[i] = routeMap(rs.AddressPrefix.String(), rs.NextHopType, rs.NextHopIPAddress.String(), "")
		if !rs.NextHopIPAddress.IsValid() {
			delete(want[i], "nextHopIpAddress")
		}
	}
	c.Expected = map[string]any{"routes": want}
	rt, err := r.eng().Routes(e.VNet, e.Subnet)
	if err != nil {
		c.Actual = map[string]any{"routes": []map[string]any{}}
		return finish(c, []string{err.Error()})
	}
	got := make([]map[string]any, 0, len(rt.Routes))
	for _, er := range rt.Routes {
		ip := ""
		if er.NextHopIPAddress.IsValid() {
			ip = er.NextHopIPAddress.String()
		}
		m := routeMap(er.AddressPrefix.String(), er.NextHopType, ip, er.State.String())
		m["source"] = er.Source.String()
		got = append(got, m)
	}
	c.Actual = map[string]any{"routes": got}
	var problems []string
	for _, rs := range e.Contains {
		if !slices.ContainsFunc(rt.Routes, func(er sim.EffectiveRoute) bool {
			return er.State == sim.Active && er.AddressPrefix == rs.AddressPrefix && er.NextHopType == rs.NextHopType &&
				(!rs.NextHopIPAddress.IsValid() || er.NextHopIPAddress == rs.NextHopIPAddress)
		}) {
			desc := rs.AddressPrefix.String() + " → " + rs.NextHopType.String()
			if rs.NextHopIPAddress.IsValid() {
				desc += " " + rs.NextHopIPAddress.String()
			}
			problems = append(problems, "no active route "+desc)
		}
	}
	return finish(c, problems)
}

func routeMap(prefix string, t topology.NextHopType, ip, state string) map[string]any {
	m := map[string]any{"addressPrefix": prefix, "nextHopType": t.String(), "nextHopIpAddress": ip}
	if state != "" {
		m["state"] = state
	}
	return m
}

func (e ReachExpectation) check(r *runner) CheckResult {
	c := CheckResult{Target: "reach " + e.From + " → " + e.To, Expected: map[string]any{"result": e.Result.String()}}
	pair, err := r.eng().ReachPair(e.From, e.To, sim.ReachOptions{Protocol: topology.ProtocolAll}) // every protocol and port
	if err != nil {
		c.Actual = map[string]any{"result": ""}
		return finish(c, []string{err.Error()})
	}
	c.Actual = map[string]any{"result": pair.Result.String()}
	if pair.Result != e.Result {
		msg := fmt.Sprintf("result is %s, expected %s", pair.Result, e.Result)
		if pair.Explanation != "" {
			msg += "; " + pair.Explanation
		}
		return finish(c, []string{msg})
	}
	return finish(c, nil)
}
