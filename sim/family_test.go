package sim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology"
)

// dualStackYAML is A and B, peered, each with an IPv4 and an IPv6 subnet,
// and C, IPv6 only and peered with nobody.
const dualStackYAML = `
name: dual
platform: azure
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16, "fd00:1::/48"]
    subnets:
      s4: {addressPrefix: 10.1.4.0/24}
      s6: {addressPrefix: "fd00:1:0:1::/64"}
    virtualMachines: {a4: {subnet: s4, ipAddress: 10.1.4.4}}
    peerings: {a-b: {remoteVirtualNetwork: B}}
  B:
    addressSpace: [10.2.0.0/16, "fd00:2::/48"]
    subnets:
      s4: {addressPrefix: 10.2.4.0/24}
      s6: {addressPrefix: "fd00:2:0:1::/64"}
    virtualMachines: {b6: {subnet: s6, ipAddress: "fd00:2:0:1::4"}}
    peerings: {b-a: {remoteVirtualNetwork: A}}
  C:
    addressSpace: ["fd00:3::/48"]
    subnets:
      s6: {addressPrefix: "fd00:3:0:1::/64"}
`

// A packet keeps its address family: a flow from IPv4 to IPv6 is refused,
// and reach pairs no IPv4 subnet with an IPv6 one.
func TestMixedFamiliesAreRefused(t *testing.T) {
	e := New(loadT(t, dualStackYAML))
	for _, c := range [][2]string{{"A/s4", "b6"}, {"a4", "B/s6"}, {"a4", "fd00:2:0:1::4"}, {"B/s6", "a4"}} {
		if _, err := e.NewFlow(c[0], c[1], topology.TCP, 443); err == nil || !strings.Contains(err.Error(), "a packet keeps its address family") {
			t.Errorf("NewFlow(%s, %s) = %v, want the address family error", c[0], c[1], err)
		}
	}
	if tr := traceT(t, e, "A/s6", "b6", 443); tr.Result != Delivered {
		t.Errorf("A/s6 → b6: %s %s, want delivered", tr.Result, tr.Reason)
	}
	// A flow built by hand is never delivered across families.
	tr := e.Trace(Flow{From: "a4", To: "b6", Src: addr("10.1.4.4"), Dst: addr("fd00:2:0:1::4"), Protocol: topology.TCP, Port: 443})
	if tr.Result != Dropped || tr.Reason != NoRoute || !strings.Contains(tr.Explanation, "address family") {
		t.Errorf("hand-built mixed flow: %s %s %q", tr.Result, tr.Reason, tr.Explanation)
	}
	if _, err := e.ReachPair("A/s4", "B/s6", ReachOptions{Protocol: topology.TCP}); err == nil {
		t.Error("ReachPair of an IPv4 and an IPv6 subnet gave no error")
	}
	if p, err := e.ReachPair("A", "B", ReachOptions{Protocol: topology.TCP}); err != nil || p.Result != OutcomeAll {
		t.Errorf("ReachPair(A, B) = %s, %v; want all: the subnets of each family reach each other", p.Result, err)
	}
}

func TestReachPairsSubnetsOfOneFamily(t *testing.T) {
	n := loadT(t, dualStackYAML)
	lines := func(ps []ReachPair) []string {
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%s>%s %s %s", p.From, p.To, p.Result, p.Reason))
		}
		return out
	}
	subnets := New(n).Reach(ReachOptions{Level: LevelSubnet, Protocol: topology.TCP})
	want := []string{
		"A/s4>B/s4 all ",
		"A/s6>B/s6 all ",
		"A/s6>C/s6 none not-peered",
		"B/s4>A/s4 all ",
		"B/s6>A/s6 all ",
		"B/s6>C/s6 none not-peered",
		"C/s6>A/s6 none not-peered",
		"C/s6>B/s6 none not-peered",
	}
	if diff := cmp.Diff(want, lines(subnets.Pairs)); diff != "" {
		t.Errorf("subnet pairs (-want +got):\n%s", diff)
	}
	sum := New(n).Reach(ReachOptions{Level: LevelSubnet, Protocol: topology.TCP, Summary: true})
	if sum.Counts != subnets.Counts || sum.Counts != (ReachCounts{All: 4, None: 4}) {
		t.Errorf("summary counts %+v, listing %+v; want 4 all, 4 none", sum.Counts, subnets.Counts)
	}
	if diff := cmp.Diff(want[2:3], lines(sum.Examples[:1])); diff != "" {
		t.Errorf("first summary example (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(lines(subnets.Examples), lines(sum.Examples)); diff != "" {
		t.Errorf("summary examples differ from the listing's (-listing +summary):\n%s", diff)
	}
	// A VNet pair aggregates the subnet pairs of one family only.
	vnets := New(n).Reach(ReachOptions{Level: LevelVNet, Protocol: topology.TCP})
	wantV := []string{"A>B all ", "A>C none not-peered", "B>A all ", "B>C none not-peered", "C>A none not-peered", "C>B none not-peered"}
	if diff := cmp.Diff(wantV, lines(vnets.Pairs)); diff != "" {
		t.Errorf("VNet pairs (-want +got):\n%s", diff)
	}
	vsum := New(n).Reach(ReachOptions{Level: LevelVNet, Protocol: topology.TCP, Summary: true})
	if vsum.Counts != vnets.Counts {
		t.Errorf("VNet summary counts %+v, listing %+v", vsum.Counts, vnets.Counts)
	}
}

// A reach unit that names nothing suggests the name it most likely
// misspells, as routes and trace do.
func TestReachPairUnknownUnit(t *testing.T) {
	e := New(loadT(t, dualStackYAML))
	for _, tc := range []struct{ from, want string }{
		{"AA", `reach: no virtual network "AA"; did you mean "A"?`},
		{"A/s44", `reach: no subnet "A/s44"; did you mean "A/s4"?`},
	} {
		if _, err := e.ReachPair(tc.from, "B", ReachOptions{}); err == nil || err.Error() != tc.want {
			t.Errorf("ReachPair(%s) error %v, want %s", tc.from, err, tc.want)
		}
	}
}
