package reports

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
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

// A listing written pair by pair is the document WriteDocument writes from the
// whole answer, byte for byte: with no pairs, with characters JSON may
// escape, and with and without explanations.
func TestReachListingJSONIsTheWholeDocument(t *testing.T) {
	odd := sim.ReachPair{From: "a<b>/s&1", To: "ü/\"q\"", Result: sim.OutcomeNone, Reason: sim.NotPeered, Explanation: "tab\there, <html> & \u2028"}
	for _, tc := range []struct {
		name  string
		pairs []sim.ReachPair
	}{
		{"none", nil},
		{"one", []sim.ReachPair{{From: "A", To: "B", Result: sim.OutcomeAll}}},
		{"escapes", []sim.ReachPair{odd, {From: "A", To: "B", Result: sim.OutcomeSome, Reason: sim.ACLDenied}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &sim.Reach{Level: sim.LevelSubnet, Pairs: tc.pairs}
			var whole, streamed bytes.Buffer
			if err := WriteDocument(&whole, jsonReach{Level: r.Level.String(), Pairs: reachPairsJSON(r.Pairs)}); err != nil {
				t.Fatal(err)
			}
			if err := ReachJSON(&streamed, r, false); err != nil {
				t.Fatal(err)
			}
			if whole.String() != streamed.String() {
				t.Errorf("streamed:\n%s\nwhole:\n%s", streamed.String(), whole.String())
			}
		})
	}
}

// A listing reaches the writer while it is being written, not at the end:
// text lists the first pairs as soon as they cannot form a matrix, and
// every format flushes by Close.
func TestReachListingStreams(t *testing.T) {
	for _, format := range []string{"text", "json", "csv"} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			l := NewReachListing(&b, format, sim.LevelVNet)
			r := &sim.Reach{Level: sim.LevelVNet}
			for i := range 5000 {
				p := sim.ReachPair{From: fmt.Sprintf("v%04d", i), To: "z", Result: sim.OutcomeAll}
				r.Counts.All++
				if err := l.Pair(p); err != nil {
					t.Fatal(err)
				}
			}
			if b.Len() == 0 {
				t.Errorf("nothing written after 5000 pairs")
			}
			if err := l.Close(r); err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b.Bytes(), []byte("v4999")) {
				t.Errorf("the last pair is missing")
			}
		})
	}
}

// BenchmarkReachJSONListing writes the subnet listing of 1 hub × 200
// spokes (642,402 pairs) as JSON: kept, the whole answer built by Reach and
// then written, as reach did before it streamed; streamed, each pair written
// as ReachEach hands it over. peak-heap-MiB is the heap in use sampled
// every 50,000 pairs and at the end of each stage.
func BenchmarkReachJSONListing(b *testing.B) {
	n := topology.Generate(topology.GenerateOptions{Hubs: 1, Spokes: 200})
	opts := sim.ReachOptions{Level: sim.LevelSubnet, Protocol: topology.TCP, Ports: []topology.PortRange{{Lo: 443, Hi: 443}}}
	var peak uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	b.Run("kept", func(b *testing.B) {
		b.ReportAllocs()
		peak = 0
		for b.Loop() {
			r := sim.New(n).Reach(opts)
			sample()
			if err := ReachJSON(io.Discard, r, false); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
	b.Run("streamed", func(b *testing.B) {
		b.ReportAllocs()
		peak = 0
		for b.Loop() {
			l := NewReachListing(io.Discard, "json", sim.LevelSubnet)
			pairs := 0
			r, err := sim.New(n).ReachEach(opts, func(p sim.ReachPair) error {
				if pairs++; pairs%50000 == 0 {
					sample()
				}
				return l.Pair(p)
			})
			if err != nil {
				b.Fatal(err)
			}
			if err := l.Close(r); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
}
