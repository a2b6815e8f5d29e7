package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/vnetsim/vnetsim/sim"
)

// flowText describes a flow in one line: "a1 (10.1.1.4) → b1 (10.2.1.4), TCP 443";
// an endpoint given as its address is not repeated in brackets.
func flowText(f sim.Flow) string {
	end := func(name string, a fmt.Stringer) string {
		if name == a.String() {
			return name
		}
		return fmt.Sprintf("%s (%s)", name, a)
	}
	s := fmt.Sprintf("%s → %s, %s", end(f.From, f.Src), end(f.To, f.Dst), f.Protocol)
	if f.Protocol.HasPorts() {
		s += fmt.Sprintf(" %d", f.Port)
	}
	return s
}

// traceVerdict is the outcome in a few words: "dropped [acl-denied]".
func traceVerdict(t *sim.Trace) string {
	if t.Reason != "" {
		return fmt.Sprintf("%s [%s]", t.Result, t.Reason)
	}
	return t.Result.String()
}

// hopPlace returns "VNET/SUBNET", "VNET" or "" for a hop.
func hopPlace(h sim.Hop) string {
	switch {
	case h.VirtualNetwork != "" && h.Subnet != "":
		return h.VirtualNetwork + "/" + h.Subnet
	default:
		return h.VirtualNetwork
	}
}

// hopIn is " in PLACE" for a hop's place, or "" when it has none or is the
// hop itself (a subnet endpoint, A/s1).
func hopIn(h sim.Hop) string {
	if p := hopPlace(h); p != "" && (h.Kind != sim.HopEndpoint || p != h.Node) {
		return " in " + p
	}
	return ""
}

// hopSummary is one line per hop for places with room for one line only
// (SARIF code flows): "nva1 in hub/nva: route …; forward …".
func hopSummary(h sim.Hop) string {
	var steps []string
	for _, s := range h.Steps {
		steps = append(steps, s.Kind.String()+" "+s.Detail)
	}
	head := h.Node + hopIn(h)
	if len(steps) == 0 {
		return head
	}
	return head + ": " + strings.Join(steps, "; ")
}

// TraceText writes a trace for people: the flow and its fate with the
// explanation first, then every hop and its decisions. reply, when not nil,
// is the reply's trace and follows.
func TraceText(w io.Writer, t, reply *sim.Trace, opt Options) error {
	if t == nil {
		return errNothing("trace")
	}
	ew := &errWriter{w: w}
	st := styles(opt.Color)
	writeTraceText(ew, st, t, "")
	if reply != nil {
		ew.print("\nreply:\n")
		writeTraceText(ew, st, reply, "")
	}
	return ew.err
}

// writeTraceText is shared with the run report, which indents traces under
// their check.
func writeTraceText(ew *errWriter, st style, t *sim.Trace, indent string) {
	verdict := traceVerdict(t)
	if t.Result == sim.Dropped {
		verdict = st.fail(verdict)
	} else {
		verdict = st.ok(verdict)
	}
	ew.printf("%s%s: %s\n", indent, flowText(t.Flow), verdict)
	if t.Explanation != "" {
		ew.printf("%s  why: %s\n", indent, t.Explanation)
	}
	for i, h := range t.Hops {
		ew.printf("%s  hop %d: %s%s\n", indent, i+1, st.bold(h.Node), hopIn(h))
		for _, s := range h.Steps {
			kind := fmt.Sprintf("%-8s", s.Kind)
			if s.Kind == sim.StepDrop {
				kind = st.fail(kind)
			}
			ew.printf("%s    %s %s\n", indent, kind, s.Detail)
		}
	}
	for _, f := range t.Facts {
		ew.printf("%s  note: %s\n", indent, f)
	}
	if t.BandwidthMbps > 0 {
		ew.printf("%s  note: the path's narrowest declared bandwidth is %d Mbps\n", indent, t.BandwidthMbps)
	}
	if t.Asymmetry != "" {
		ew.printf("%s  asymmetric: %s\n", indent, t.Asymmetry)
	}
}

// The "trace" document of docs/reference/json.md.
type (
	jsonTrace struct {
		Flow        jsonFlow  `json:"flow"`
		Result      string    `json:"result"`
		Reason      string    `json:"reason"`
		Explanation string    `json:"explanation"`
		Hops        []jsonHop `json:"hops"`
		// Path facts, added to the contract's fields.
		HopCount      int      `json:"hopCount"`
		BandwidthMbps int      `json:"bandwidthMbps,omitempty"`
		Facts         []string `json:"facts,omitempty"`
		Asymmetry     string   `json:"asymmetry,omitempty"`
		// Reply is the reply's trace (trace --return).
		Reply *jsonTrace `json:"reply,omitempty"`
	}
	jsonFlow struct {
		From        string `json:"from"`
		To          string `json:"to"`
		Source      string `json:"source"`
		Destination string `json:"destination"`
		Protocol    string `json:"protocol"`
		Port        uint16 `json:"port"`
	}
	jsonHop struct {
		Node           string     `json:"node"`
		VirtualNetwork string     `json:"virtualNetwork"`
		Subnet         string     `json:"subnet"`
		Steps          []jsonStep `json:"steps"`
	}
	jsonStep struct {
		Kind   string `json:"kind"`
		Detail string `json:"detail"`
	}
)

func toJSONTrace(t *sim.Trace) jsonTrace {
	f := t.Flow
	jt := jsonTrace{
		Flow: jsonFlow{
			From: f.From, To: f.To, Source: addrString(f.Src), Destination: addrString(f.Dst),
			Protocol: f.Protocol.String(), Port: f.Port,
		},
		Result: t.Result.String(), Reason: string(t.Reason), Explanation: t.Explanation,
		Hops:     make([]jsonHop, 0, len(t.Hops)),
		HopCount: len(t.Hops), BandwidthMbps: t.BandwidthMbps, Facts: t.Facts, Asymmetry: t.Asymmetry,
	}
	for _, h := range t.Hops {
		jh := jsonHop{Node: h.Node, VirtualNetwork: h.VirtualNetwork, Subnet: h.Subnet, Steps: make([]jsonStep, 0, len(h.Steps))}
		for _, s := range h.Steps {
			jh.Steps = append(jh.Steps, jsonStep{s.Kind.String(), s.Detail})
		}
		jt.Hops = append(jt.Hops, jh)
	}
	return jt
}

// addrString returns "" for the zero address rather than "invalid IP".
func addrString(a interface {
	IsValid() bool
	String() string
}) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// TraceJSON writes the "trace" document of docs/reference/json.md. reply, when not nil,
// is added as the "reply" field, a trace document of its own.
func TraceJSON(w io.Writer, t, reply *sim.Trace) error {
	if t == nil {
		return errNothing("trace")
	}
	doc := toJSONTrace(t)
	if reply != nil {
		r := toJSONTrace(reply)
		doc.Reply = &r
	}
	return WriteDocument(w, doc)
}
