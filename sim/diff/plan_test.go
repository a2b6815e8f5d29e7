package diff

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/internal/simtest"
	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology"
)

// hubSpokeT loads examples/hub-spoke.yaml: windows-sdn, three spokes that
// share rt-spoke, whose route sends 10.0.0.0/8 to the hub's nva1.
func hubSpokeT(t testing.TB) *topology.Network {
	t.Helper()
	return simtest.LoadFile(t, "../../examples/hub-spoke.yaml")
}

// edited returns a clone of n changed by edit.
func edited(n *topology.Network, edit func(*topology.Network)) *topology.Network {
	c := n.Clone()
	edit(c)
	return c
}

// addRange gives vnet one more address range; on windows-sdn that locks
// while peered, so the plan deletes and re-creates vnet's peerings.
func addRange(vnet, prefix string) func(*topology.Network) {
	return func(n *topology.Network) {
		v := n.VirtualNetworks[vnet]
		v.AddressSpace = append(v.AddressSpace, netip.MustParsePrefix(prefix))
	}
}

// verifiedPlan makes the plan from before to after, fails unless it is
// verified and replays with Apply, and returns it.
func verifiedPlan(t *testing.T, before, after *topology.Network) Plan {
	t.Helper()
	plan := MakePlan(before, after)
	if !plan.Verified {
		t.Fatalf("plan not verified:\n%s", strings.Join(plan.Problems, "\n"))
	}
	n := before
	for i, s := range plan.Steps {
		var r *event.Refusal
		if n, r = event.Apply(n, s.Event); r != nil {
			t.Fatalf("step %d %s refused on replay: %v", i+1, eventLine(s.Event), r)
		}
	}
	return plan
}

func stepKinds(p Plan) []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.Event.Kind()
	}
	return out
}

// Deleting a peering is accepted with the routes across it in place, and
// re-creating it clears the route-next-hop-unreachable errors it left: the
// plan no longer lifts rt-spoke's route, so spoke2 and spoke3, which share
// the table, lose nothing while spoke1's peerings are rebuilt.
func TestPlanRebuildsPeeringWithoutLiftingRoutes(t *testing.T) {
	before := hubSpokeT(t)
	after := edited(before, addRange("spoke1", "10.11.0.0/16"))
	plan := verifiedPlan(t, before, after)
	kinds := stepKinds(plan)
	for _, k := range []string{"removeRoute", "addRoute"} {
		if slices.Contains(kinds, k) {
			t.Errorf("plan lifts a route (%s): %v", k, kinds)
		}
	}
	want := []string{"deletePeering", "deletePeering", "addAddressPrefix", "createPeering", "createPeering"}
	if !slices.Equal(kinds, want) {
		t.Errorf("steps = %v, want %v", kinds, want)
	}
	res, err := Compare(Input{Network: before}, Input{Network: after}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lists := impactLists(res)
	for i, s := range res.Plan.Steps {
		for _, l := range lists[i] {
			if !strings.HasPrefix(l.From, "spoke1/") && !strings.HasPrefix(l.To, "spoke1/") {
				t.Errorf("step %d %s loses %s → %s, which does not involve spoke1", i+1, s.Event.Kind(), l.From, l.To)
			}
		}
	}
}

// A route is still lifted when a step between deleting and re-creating the
// peering would otherwise be refused: here nva1 appears at the route's next
// hop while spoke1 is cut off from the hub, a new route-next-hop-unreachable
// error for spoke1.
func TestPlanLiftsRoutesWhenAStepNeedsIt(t *testing.T) {
	after := edited(hubSpokeT(t), addRange("spoke1", "10.11.0.0/16"))
	before := edited(hubSpokeT(t), func(n *topology.Network) { delete(n.VirtualNetworks["hub"].VirtualMachines, "nva1") })
	if topology.Validate(before).HasErrors() {
		t.Fatalf("before has errors: %v", topology.Validate(before).Err())
	}
	if p := makePlan(before, after, false); !p.refused {
		t.Fatalf("the plan without lifting was accepted, so this test no longer shows lifting is needed: %v", stepKinds(p.Plan))
	}
	plan := verifiedPlan(t, before, after)
	kinds := stepKinds(plan)
	lift, del := slices.Index(kinds, "removeRoute"), slices.Index(kinds, "deletePeering")
	back, create := slices.Index(kinds, "addRoute"), slices.Index(kinds, "createPeering")
	if lift < 0 || back < 0 || lift > del || back < create {
		t.Errorf("want removeRoute before deletePeering and addRoute after createPeering: %v", kinds)
	}
}

// Each change below is made with an extension event (event.ExtensionKinds)
// and is no longer left unplanned; the change undone is planned as well.
func TestPlanUsesExtensionEvents(t *testing.T) {
	base := hubSpokeT(t)
	tests := []struct {
		name  string
		edit  func(*topology.Network)
		want  []string // event kinds the plan uses, in this order
		undo  []string // event kinds the reverse plan uses, in this order
		extra []string // changes the reverse plan leaves unplanned (by path)
	}{
		{
			name: "add a load balancer",
			edit: func(n *topology.Network) {
				hub := n.VirtualNetworks["hub"]
				hub.LoadBalancers["ilb2"] = &topology.LoadBalancer{Name: "ilb2", Subnet: hub.Subnets["web"],
					FrontendIPAddress: netip.MustParseAddr("10.0.3.101"), Backends: []*topology.VirtualMachine{hub.VirtualMachines["web1"]}}
			},
			want: []string{"setLoadBalancer"},
			undo: []string{"removeLoadBalancer"},
		},
		{
			name: "change a load balancer's rules",
			edit: func(n *topology.Network) {
				n.VirtualNetworks["hub"].LoadBalancers["web-ilb"].Rules = []topology.LoadBalancerRule{{Protocol: topology.TCP, FrontendPort: 8443, BackendPort: 443}}
			},
			want: []string{"setLoadBalancer"},
			undo: []string{"setLoadBalancer"},
		},
		{
			name: "balance every port",
			edit: func(n *topology.Network) { n.VirtualNetworks["hub"].LoadBalancers["web-ilb"].Rules = nil },
			want: []string{"setLoadBalancer"},
			undo: []string{"setLoadBalancer"},
		},
		{
			name: "move a load balancer to a new subnet",
			edit: func(n *topology.Network) {
				hub := n.VirtualNetworks["hub"]
				hub.Subnets["lb"] = &topology.Subnet{Name: "lb", AddressPrefix: netip.MustParsePrefix("10.0.4.0/24")}
				lb := hub.LoadBalancers["web-ilb"]
				lb.Subnet, lb.FrontendIPAddress = hub.Subnets["lb"], netip.MustParseAddr("10.0.4.100")
			},
			want: []string{"addSubnet", "removeLoadBalancer", "setLoadBalancer"},
			undo: []string{"removeLoadBalancer", "removeSubnet", "setLoadBalancer"},
		},
		{
			name: "new route table on subnets with VMs",
			edit: func(n *topology.Network) {
				rt := &topology.RouteTable{Name: "rt-web", Routes: []topology.Route{{Name: "blackhole", AddressPrefix: netip.MustParsePrefix("10.9.0.0/16"), NextHopType: topology.NextHopNone}}}
				n.RouteTables["rt-web"] = rt
				n.VirtualNetworks["hub"].Subnets["web"].RouteTable = rt
			},
			want:  []string{"createRouteTable", "setSubnet", "addRoute"},
			undo:  []string{"setSubnet"},
			extra: []string{"routeTables.rt-web"},
		},
		{
			name: "new ACL on a subnet with VMs",
			edit: func(n *topology.Network) {
				acl := &topology.ACL{Name: "web-acl", InboundDefaultAction: topology.Allow, OutboundDefaultAction: topology.Allow}
				n.AccessControlLists["web-acl"] = acl
				n.VirtualNetworks["hub"].Subnets["web"].AccessControlList = acl
			},
			want:  []string{"createAccessControlList", "setSubnet"},
			undo:  []string{"setSubnet"},
			extra: []string{"accessControlLists.web-acl"},
		},
		{
			name: "spoke1 leaves the shared route table",
			edit: func(n *topology.Network) {
				for _, s := range n.VirtualNetworks["spoke1"].Subnets {
					s.RouteTable = nil
				}
			},
			want: []string{"setSubnet", "setSubnet"},
			undo: []string{"setSubnet", "setSubnet"},
		},
		{
			name: "new VNet with a load balancer",
			edit: func(n *topology.Network) {
				v := &topology.VirtualNetwork{Name: "svc", NetworkController: n.NetworkController, AddressSpace: []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")},
					Subnets: map[string]*topology.Subnet{}, VirtualMachines: map[string]*topology.VirtualMachine{},
					LoadBalancers: map[string]*topology.LoadBalancer{}, Peerings: map[string]*topology.Peering{}}
				v.Subnets["app"] = &topology.Subnet{Name: "app", AddressPrefix: netip.MustParsePrefix("10.20.1.0/24")}
				v.VirtualMachines["svc1"] = &topology.VirtualMachine{Name: "svc1", Subnet: v.Subnets["app"], IPAddress: netip.MustParseAddr("10.20.1.4"), Running: true}
				v.LoadBalancers["svc-ilb"] = &topology.LoadBalancer{Name: "svc-ilb", Subnet: v.Subnets["app"],
					FrontendIPAddress: netip.MustParseAddr("10.20.1.100"), Backends: []*topology.VirtualMachine{v.VirtualMachines["svc1"]}}
				n.VirtualNetworks["svc"] = v
			},
			want: []string{"createVirtualNetwork", "setLoadBalancer"},
			undo: []string{"deleteVirtualNetwork"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after := edited(base, tt.edit)
			if ds := topology.Validate(after); ds.HasErrors() {
				t.Fatalf("after has errors: %v", ds.Err())
			}
			check := func(t *testing.T, before, after *topology.Network, want, unplanned []string) {
				plan := verifiedPlan(t, before, after)
				var got []string
				for _, u := range plan.Unplanned {
					got = append(got, u.Path.String())
				}
				if !slices.Equal(got, unplanned) {
					t.Errorf("unplanned = %v, want %v", got, unplanned)
				}
				if kinds := stepKinds(plan); !slices.Equal(kinds, want) {
					t.Errorf("steps = %v, want %v", kinds, want)
				}
			}
			t.Run("forward", func(t *testing.T) { check(t, base, after, tt.want, nil) })
			t.Run("reverse", func(t *testing.T) { check(t, after, base, tt.undo, tt.extra) })
		})
	}
}

// TestPlanRecoversADisconnectedObject: a before-file (an export) holds
// a-to-b Disconnected after B's side was deleted; the after-file holds both
// sides live. Creating b-to-a first is refused (remote-peering-disconnected),
// so the plan re-puts a-to-b, the platform's recovery, then creates b-to-a.
func TestPlanRecoversADisconnectedObject(t *testing.T) {
	after := simtest.Load(t, `
name: d
platform: azure
virtualNetworks:
  A: {addressSpace: [10.1.0.0/16], subnets: {s: {addressPrefix: 10.1.0.0/24}}, peerings: {a-to-b: {remoteVirtualNetwork: B}}}
  B: {addressSpace: [10.2.0.0/16], subnets: {s: {addressPrefix: 10.2.0.0/24}}, peerings: {b-to-a: {remoteVirtualNetwork: A}}}
`)
	before := edited(after, func(n *topology.Network) {
		delete(n.VirtualNetworks["B"].Peerings, "b-to-a")
		n.VirtualNetworks["A"].Peerings["a-to-b"].Disconnected = true
	})
	plan := verifiedPlan(t, before, after)
	if got, want := stepKinds(plan), []string{"updatePeering", "createPeering"}; !slices.Equal(got, want) {
		t.Errorf("plan %v, want %v", got, want)
	}
	changes := Changes(before, after)
	if !slices.ContainsFunc(changes, func(c Change) bool { return strings.Contains(c.Message, "peeringState Disconnected") }) {
		t.Errorf("no change names the Disconnected object: %+v", changes)
	}
}
