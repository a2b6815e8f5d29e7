package sim

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/internal/simtest"
	"github.com/vnetsim/vnetsim/topology"
)

// loadT loads a topology from its text.
func loadT(t testing.TB, text string) *topology.Network {
	t.Helper()
	return simtest.Load(t, text)
}

// loadFileT loads a topology file.
func loadFileT(t testing.TB, path string) *topology.Network {
	t.Helper()
	return simtest.LoadFile(t, path)
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

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }
