package topology

import "testing"

// Each flag reads and writes its own field of a peering, and a new
// peering holds every default: access on, the rest off.
func TestPeeringFlags(t *testing.T) {
	p := NewPeering("a-to-b", "b")
	if p.Name != "a-to-b" || p.RemoteVirtualNetwork != "b" || !p.AllowVirtualNetworkAccess || p.AllowForwardedTraffic || p.AllowGatewayTransit || p.UseRemoteGateways {
		t.Fatalf("NewPeering = %+v", p)
	}
	labels := map[string]bool{}
	for _, f := range PeeringFlags() {
		q := NewPeering("x", "y")
		f.Set(q, !f.Default())
		for _, g := range PeeringFlags() {
			if want := g.Default() != (g == f); g.Of(q) != want {
				t.Errorf("after setting %s to %t, %s is %t", f, !f.Default(), g, g.Of(q))
			}
		}
		if labels[f.Label()] || f.Label() == "" || f.Doc() == "" {
			t.Errorf("%s: label %q (repeated or empty), doc %q", f, f.Label(), f.Doc())
		}
		labels[f.Label()] = true
	}
	if q := (NewPeering("x", "y")); !FlagAllowVirtualNetworkAccess.Of(q) || FlagUseRemoteGateways.Of(q) {
		t.Errorf("defaults read back wrong: %+v", q)
	}
}
