package reports

import (
	"bytes"
	"io"
	"testing"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
)

// Routes and reach of testdata/diagram.yaml, in every format.
func TestRoutesAndReachFormats(t *testing.T) {
	e := sim.New(loadDiagram(t))
	routes, err := e.Routes("spoke1", "app")
	if err != nil {
		t.Fatal(err)
	}
	ports := []topology.PortRange{{Lo: 443, Hi: 443}}
	vnets := e.Reach(sim.ReachOptions{Level: sim.LevelVNet, Protocol: topology.TCP, Ports: ports})
	subnets := e.Reach(sim.ReachOptions{Level: sim.LevelSubnet, Protocol: topology.TCP, Ports: ports})
	summary := e.Reach(sim.ReachOptions{Level: sim.LevelSubnet, Protocol: topology.TCP, Ports: ports, Summary: true})
	for _, tc := range []struct {
		name   string
		render func(w io.Writer) error
	}{
		{"routes-text", func(w io.Writer) error { return RoutesText(w, routes) }},
		{"routes-json", func(w io.Writer) error { return RoutesJSON(w, routes) }},
		{"reach-matrix", func(w io.Writer) error { return ReachText(w, vnets, false) }},
		{"reach-json", func(w io.Writer) error { return ReachJSON(w, vnets, false) }},
		{"reach-csv", func(w io.Writer) error { return ReachCSV(w, subnets, false) }},
		{"reach-summary-json", func(w io.Writer) error { return ReachJSON(w, summary, true) }},
		{"reach-summary-text", func(w io.Writer) error { return ReachText(w, summary, true) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, render(t, func(w *bytes.Buffer) error { return tc.render(w) }))
		})
	}
}

// Above MatrixLimit endpoints, reach text lists pairs instead of a grid.
func TestReachTextListsLargeEstates(t *testing.T) {
	r := &sim.Reach{Level: sim.LevelVNet}
	for i := range MatrixLimit + 1 {
		r.Pairs = append(r.Pairs, sim.ReachPair{From: string(rune('a' + i)), To: "z", Result: sim.OutcomeAll})
	}
	r.Counts.All = len(r.Pairs)
	var b bytes.Buffer
	if err := ReachText(&b, r, false); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte("(to)")) || !bytes.Contains(b.Bytes(), []byte("a → z: all")) {
		t.Errorf("want a list, got:\n%s", b.String())
	}
}
