package sim

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology"
)

// update is shared by every golden test of package sim.
var update = flag.Bool("update", false, "rewrite golden files")

// loadFileT loads a topology file.
func loadFileT(t testing.TB, path string) *topology.Network {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return loadT(t, string(data))
}

// traceT traces from → to over TCP port.
func traceT(t testing.TB, e *Engine, from, to string, port uint16) Trace {
	t.Helper()
	f, err := e.NewFlow(from, to, topology.TCP, port)
	if err != nil {
		t.Fatalf("flow %s → %s: %v", from, to, err)
	}
	return e.Trace(f)
}

// via returns the hop nodes of tr, comma separated.
func via(tr Trace) string {
	var ns []string
	for _, h := range tr.Hops {
		ns = append(ns, h.Node)
	}
	return strings.Join(ns, ",")
}

// impactLists returns every plan step's full list of lost pairs.
func impactLists(res *DiffResult) [][]ReachChange {
	var out [][]ReachChange
	for _, lost := range res.ImpactLists() {
		out = append(out, slices.Collect(lost))
	}
	return out
}
