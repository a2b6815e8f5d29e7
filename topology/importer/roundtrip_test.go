package importer

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// exportable returns a copy of n without what no Azure export holds: the
// Network Controller names and on-premises host names. Power state and ACL
// default actions are left alone: Generate's estates have every VM running
// and every default Allow, which is what an import gives back.
func exportable(n *topology.Network) *topology.Network {
	c := n.Clone()
	c.NetworkController = ""
	for _, v := range c.VirtualNetworks {
		v.NetworkController = ""
	}
	for _, o := range c.OnPremises {
		o.Hosts = map[string]netip.Addr{}
	}
	return c
}

// roundTrip exports n to Azure JSON, imports it and checks that the model
// is n again, compared through the topology file both write.
func roundTrip(t *testing.T, n *topology.Network) {
	t.Helper()
	r := Import(Azure, []Input{{Filename: "estate.json", Data: exportAzure(n)}}, Options{Name: n.Name})
	for _, d := range r.Diagnostics {
		t.Errorf("%s: %s[%s]: %s (%s)", d.Subject, d.Severity, d.Code, d.Summary, d.Detail)
	}
	if r.Network == nil {
		t.Fatal("nothing imported")
	}
	want, err := topology.Marshal(exportable(n))
	if err != nil {
		t.Fatal(err)
	}
	got, err := topology.Marshal(r.Network)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("the imported estate differs from the exported one (-want +got):\n%s", diff)
	}
}

// TestRoundTripGeneratedEstate exports a generated estate of 500 spokes
// under two hubs (gateways, sites, appliances, route tables, NSGs) and
// imports it back.
func TestRoundTripGeneratedEstate(t *testing.T) {
	roundTrip(t, topology.Generate(topology.GenerateOptions{Hubs: 2, Spokes: 250, SubnetsPerSpoke: 2, Platform: topology.Azure}))
}

// TestRoundTripObservedState covers what Generate does not make: regions,
// a Disconnected object, a peering that has not synced its remote's new
// range, disabled access, rules with lists and service tags, a NIC NSG, and
// internal load balancers with rules, with none (HA ports) and Basic.
func TestRoundTripObservedState(t *testing.T) {
	n := topology.Generate(topology.GenerateOptions{Hubs: 1, Spokes: 3, SubnetsPerSpoke: 2, Platform: topology.Azure})
	hub, s0, s1, s2 := n.VirtualNetworks["hub00"], n.VirtualNetworks["spoke00-000"], n.VirtualNetworks["spoke00-001"], n.VirtualNetworks["spoke00-002"]
	for _, v := range n.VirtualNetworks {
		v.Region = "westeurope"
	}
	s2.Region = "northeurope"
	// spoke 2's side was deleted: the hub's object is Disconnected.
	delete(s2.Peerings, "spoke00-002-to-hub00")
	hub.Peerings["hub00-to-spoke00-002"].Disconnected = true
	// spoke 1 added a range the hub has not synced.
	s1.AddressSpace = append(s1.AddressSpace, netip.MustParsePrefix("10.200.0.0/16"))
	s0.Peerings["spoke00-000-to-hub00"].AllowVirtualNetworkAccess = false
	acl := n.AccessControlLists["acl-hub00-spokes"]
	acl.Rules = append(acl.Rules,
		topology.ACLRule{Name: "lists", Priority: 400, Type: topology.Inbound, Action: topology.Deny, Protocol: topology.UDP,
			SourceAddressPrefixes:      []topology.AddressMatch{{Prefix: netip.MustParsePrefix("10.1.0.0/16")}, {Tag: topology.TagInternet}},
			SourcePortRanges:           []topology.PortRange{topology.AnyPort},
			DestinationAddressPrefixes: []topology.AddressMatch{{Tag: topology.TagVirtualNetwork}},
			DestinationPortRanges:      []topology.PortRange{{Lo: 53, Hi: 53}, {Lo: 5000, Hi: 5100}}},
		topology.ACLRule{Name: "probes", Priority: 410, Type: topology.Inbound, Action: topology.Allow, Protocol: topology.ICMP,
			SourceAddressPrefixes: []topology.AddressMatch{{Tag: topology.TagAzureLoadBalancer}}, SourcePortRanges: []topology.PortRange{topology.AnyPort},
			DestinationAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, DestinationPortRanges: []topology.PortRange{topology.AnyPort}})
	a, b := s0.VirtualMachines["vm00-000-a"], s0.VirtualMachines["vm00-000-b"]
	a.AccessControlList = acl
	s0.LoadBalancers["ilb-rules"] = &topology.LoadBalancer{Name: "ilb-rules", Subnet: a.Subnet, FrontendIPAddress: netip.MustParseAddr("10.0.0.100"),
		Backends: []*topology.VirtualMachine{a, b}, Rules: []topology.LoadBalancerRule{{Protocol: topology.TCP, FrontendPort: 443, BackendPort: 8443}}}
	s0.LoadBalancers["ilb-ha"] = &topology.LoadBalancer{Name: "ilb-ha", Subnet: a.Subnet, FrontendIPAddress: netip.MustParseAddr("10.0.0.101"),
		SKU: topology.Basic, Backends: []*topology.VirtualMachine{b}}
	if got := n.SyncLevel("hub00", hub.Peerings["hub00-to-spoke00-001"]); got != topology.LocalNotInSync {
		t.Fatalf("fixture: hub00-to-spoke00-001 is %s, want LocalNotInSync", got)
	}
	roundTrip(t, n)
	if !slices.ContainsFunc(topology.Validate(n), func(d diag.Diagnostic) bool { return d.Code == "peering-not-connected" }) {
		t.Error("fixture: the Disconnected object raises no peering-not-connected")
	}
}
