package topology

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology/diag"
)

func TestGenerate(t *testing.T) {
	tests := []struct {
		name                 string
		opts                 GenerateOptions
		wantVNets, wantSites int
		skipValidate         bool // Validate is quadratic in places; huge rows check addressing only
	}{
		{"defaults are one hub without spokes", GenerateOptions{}, 1, 1, false},
		{"one hub, three spokes", GenerateOptions{Hubs: 1, Spokes: 3}, 4, 1, false},
		{"three meshed hubs", GenerateOptions{Hubs: 3, Spokes: 2, SubnetsPerSpoke: 1}, 9, 3, false},
		{"azure", GenerateOptions{Hubs: 2, Spokes: 2, Platform: Azure}, 6, 2, false},
		{"20 hubs of 500 spokes fit 10/8", GenerateOptions{Hubs: 20, Spokes: 500}, 20 + 20*500, 20, false},
		{"too many spokes are clamped", GenerateOptions{Hubs: 3, Spokes: 100000}, 3 + 3*4096, 3, true},
		{"too many hubs are clamped", GenerateOptions{Hubs: 100}, 64, 64, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := Generate(tt.opts)
			if got := len(n.VirtualNetworks); got != tt.wantVNets {
				t.Errorf("VNets = %d, want %d", got, tt.wantVNets)
			}
			if got := len(n.OnPremises); got != tt.wantSites {
				t.Errorf("sites = %d, want %d", got, tt.wantSites)
			}
			if ds := validateUnless(tt.skipValidate, n); ds.HasErrors() {
				t.Fatalf("generated estate does not validate:\n%v", ds.Err())
			}
			for _, v := range n.SortedVirtualNetworks() {
				for _, p := range v.SortedPeerings() {
					if st := n.PeeringState(v.Name, p); st != Connected {
						t.Errorf("peering %s/%s is %s, want Connected", v.Name, p.Name, st)
					}
				}
			}
			checkNoOverlap(t, n)
		})
	}
}

// checkNoOverlap fails when two VNets or sites share an address.
func checkNoOverlap(t *testing.T, n *Network) {
	t.Helper()
	type owned struct {
		owner string
		p     netip.Prefix
	}
	var all []owned
	for _, v := range n.SortedVirtualNetworks() {
		for _, p := range v.AddressSpace {
			all = append(all, owned{v.Name, p})
		}
		for _, s := range v.Subnets {
			if !v.ContainsAddr(s.AddressPrefix.Addr()) {
				t.Errorf("subnet %s/%s is outside its VNet", v.Name, s.Name)
			}
		}
	}
	for _, o := range n.SortedOnPremises() {
		for _, p := range o.AddressSpace {
			all = append(all, owned{o.Name, p})
		}
	}
	slices.SortFunc(all, func(a, b owned) int { return a.p.Addr().Compare(b.p.Addr()) })
	for i := 1; i < len(all); i++ {
		if all[i-1].p.Overlaps(all[i].p) {
			t.Fatalf("%s range %s overlaps %s range %s", all[i-1].owner, all[i-1].p, all[i].owner, all[i].p)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	opts := GenerateOptions{Hubs: 2, Spokes: 5}
	if a, b := fingerprint(Generate(opts)), fingerprint(Generate(opts)); a != b {
		t.Fatalf("two runs differ:\n%s\n---\n%s", a, b)
	}
}

// fingerprint renders the parts of n that generation decides, in name order.
func fingerprint(n *Network) string {
	var b strings.Builder
	for _, v := range n.SortedVirtualNetworks() {
		fmt.Fprintf(&b, "%s %v\n", v.Name, v.AddressSpace)
		fmt.Fprintf(&b, "  controller %s region %q\n", v.NetworkController, v.Region)
		for _, s := range v.SortedSubnets() {
			fmt.Fprintf(&b, "  subnet %s %s acl=%s rt=%s\n", s.Name, s.AddressPrefix, aclName(s.AccessControlList), rtName(s.RouteTable))
		}
		if g := v.Gateway; g != nil {
			fmt.Fprintf(&b, "  gateway %s %s %s", g.Name, g.Type, g.SKU)
			for _, o := range g.Connections {
				fmt.Fprintf(&b, " %s", o.Name)
			}
			b.WriteByte('\n')
		}
		for _, vm := range v.SortedVirtualMachines() {
			fmt.Fprintf(&b, "  vm %s %s/%s fwd=%v run=%v acl=%s bw=%d\n", vm.Name, vm.Subnet.Name, vm.IPAddress, vm.IPForwarding, vm.Running, aclName(vm.AccessControlList), vm.BandwidthMbps)
		}
		for _, lb := range v.SortedLoadBalancers() {
			fmt.Fprintf(&b, "  lb %s %s/%s %s rules=%v backends=", lb.Name, lb.Subnet.Name, lb.FrontendIPAddress, lb.SKU, lb.Rules)
			for _, vm := range lb.Backends {
				fmt.Fprintf(&b, "%s,", vm.Name)
			}
			b.WriteByte('\n')
		}
		for _, p := range v.SortedPeerings() {
			fmt.Fprintf(&b, "  peering %+v\n", *p)
		}
	}
	for _, rt := range n.SortedRouteTables() {
		fmt.Fprintf(&b, "rt %s %v %+v\n", rt.Name, rt.DisableGatewayRoutePropagation, rt.Routes)
	}
	for _, a := range n.SortedACLs() {
		fmt.Fprintf(&b, "acl %s %s %s %+v\n", a.Name, a.InboundDefaultAction, a.OutboundDefaultAction, a.Rules)
	}
	for _, o := range n.SortedOnPremises() {
		fmt.Fprintf(&b, "site %s %v %v\n", o.Name, o.AddressSpace, o.Hosts)
	}
	return b.String()
}

func aclName(a *ACL) string {
	if a == nil {
		return "-"
	}
	return a.Name
}

func rtName(rt *RouteTable) string {
	if rt == nil {
		return "-"
	}
	return rt.Name
}

// validateUnless validates n unless skip is set.
func validateUnless(skip bool, n *Network) diag.Diagnostics {
	if skip {
		return nil
	}
	return Validate(n)
}
