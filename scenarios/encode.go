package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/sim/event"
)

// Encode writes sc in the scenario file format (docs/reference/scenarios.md), so that a
// plan of events can be saved as a runnable scenario:
//
//	sc := &scenarios.Scenario{Name: "apply the change", TopologyPath: "before.yaml",
//		Steps: []scenarios.Step{{Name: "step 1", Do: []scenarios.Do{{Event: ev}}}}}
//	data, err := scenarios.Encode(sc)
//
// The topology is written as sc.TopologyPath, or as the inline mapping sc
// was parsed with. Parse(Encode(sc)) gives back sc's steps and expectations.
func Encode(sc *Scenario) ([]byte, error) {
	if sc == nil {
		return nil, errors.New("encode scenario: nil scenario")
	}
	root := mapping(false)
	add := func(key string, v *yaml.Node) { root.Content = append(root.Content, scalar(key), v) }
	add("name", scalar(sc.Name))
	if sc.Description != "" {
		add("description", scalar(sc.Description))
	}
	if len(sc.Hints) > 0 {
		add("hints", stringList(sc.Hints, false))
	}
	switch {
	case sc.TopologyPath != "":
		add("topology", scalar(sc.TopologyPath))
	case sc.inline != nil:
		add("topology", sc.inline)
	default:
		return nil, fmt.Errorf("encode scenario %q: no topology path", sc.Name)
	}
	steps := &yaml.Node{Kind: yaml.SequenceNode}
	for _, st := range sc.Steps {
		sn := mapping(false)
		put := func(key string, v *yaml.Node) { sn.Content = append(sn.Content, scalar(key), v) }
		put("name", scalar(st.Name))
		if len(st.Do) > 0 {
			do := &yaml.Node{Kind: yaml.SequenceNode}
			for _, d := range st.Do {
				if d.Event == nil {
					return nil, fmt.Errorf("encode scenario %q step %q: empty event", sc.Name, st.Name)
				}
				do.Content = append(do.Content, keyed(d.Event.Kind(), d.Event.Fields()))
			}
			put("do", do)
		}
		if st.ExpectRejected != "" {
			put("expectRejected", scalar(string(st.ExpectRejected)))
		}
		if len(st.Expect) > 0 {
			ex := &yaml.Node{Kind: yaml.SequenceNode}
			for _, c := range st.Expect {
				if c.Expectation == nil {
					return nil, fmt.Errorf("encode scenario %q step %q: empty expectation", sc.Name, st.Name)
				}
				ex.Content = append(ex.Content, keyed(c.Expectation.Kind(), c.Expectation.Fields()))
			}
			put("expect", ex)
		}
		if len(st.Hints) > 0 {
			put("hints", stringList(st.Hints, false))
		}
		steps.Content = append(steps.Content, sn)
	}
	add("steps", steps)

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encode scenario %q: %w", sc.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode scenario %q: %w", sc.Name, err)
	}
	return buf.Bytes(), nil
}

// EventText formats ev on one line the way a scenario file writes it, its
// fields in the event's own order and lists of mappings (load balancer and
// access control list rules) in flow style:
//
//	createPeering {vnet: hub, name: hub-to-spoke1, remoteVirtualNetwork: spoke1}
//
// The diff reports print a plan's steps with it, so that a step reads as the
// line --emit-scenario writes for it.
func EventText(ev event.Event) string {
	out, err := yaml.Marshal(fieldsNode(ev.Fields(), true))
	if err != nil {
		// A flow mapping of scalars always encodes; should it not, the
		// fields are still shown rather than dropped.
		return fmt.Sprintf("%s %v", ev.Kind(), ev.Fields())
	}
	return ev.Kind() + " " + string(bytes.TrimSuffix(out, []byte("\n")))
}

// keyed returns `{key: {fields...}}`, the shape of one event or
// expectation; the inner mapping is written in flow style.
func keyed(key string, fs []event.Field) *yaml.Node {
	m := mapping(false)
	m.Content = append(m.Content, scalar(key), fieldsNode(fs, true))
	return m
}

func mapping(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func stringList(ss []string, flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	for _, s := range ss {
		n.Content = append(n.Content, scalar(s))
	}
	return n
}

// fieldsNode encodes ordered fields as a mapping.
func fieldsNode(fs []event.Field, flow bool) *yaml.Node {
	m := mapping(flow)
	for _, f := range fs {
		m.Content = append(m.Content, scalar(f.Name), valueNode(f.Value))
	}
	return m
}

func valueNode(v any) *yaml.Node {
	switch v := v.(type) {
	case string:
		return scalar(v)
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
	case []string:
		return stringList(v, true)
	case []event.Field:
		return fieldsNode(v, true)
	case [][]event.Field:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, item := range v {
			n.Content = append(n.Content, fieldsNode(item, true))
		}
		return n
	}
	// Field documents its value types; anything else is a programming
	// error, written visibly rather than dropped.
	return scalar(fmt.Sprint(v))
}
