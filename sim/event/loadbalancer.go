package event

import (
	"net/netip"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// SetLoadBalancer creates or replaces an internal load balancer. Backends
// are VM names in the same VNet; nil Rules balance every protocol and port,
// an empty non-nil Rules balances nothing, as in the topology file.
type SetLoadBalancer struct {
	VNet, Name        string
	Subnet            string
	FrontendIPAddress netip.Addr
	SKU               topology.LoadBalancerSKU
	Backends          []string
	Rules             []topology.LoadBalancerRule
}

// Kind implements Event.
func (SetLoadBalancer) Kind() string { return "setLoadBalancer" }

// Fields implements Event.
func (e SetLoadBalancer) Fields() []Field {
	out := []Field{{"vnet", e.VNet}, {"name", e.Name}, {"subnet", e.Subnet},
		{"frontendIpAddress", e.FrontendIPAddress.String()}, {"sku", e.SKU.String()}}
	if len(e.Backends) > 0 {
		out = append(out, Field{"backends", slices.Clone(e.Backends)})
	}
	if e.Rules != nil {
		out = append(out, Field{"rules", fieldRows(e.Rules, func(r topology.LoadBalancerRule) []Field {
			return []Field{{"protocol", r.Protocol.String()}, {"frontendPort", int(r.FrontendPort)}, {"backendPort", int(r.BackendPort)}}
		})})
	}
	return out
}

func (e SetLoadBalancer) apply(t *tx) *Refusal {
	if e.Name == "" || e.Subnet == "" || !e.FrontendIPAddress.IsValid() {
		return refusef(diag.MissingField, "setLoadBalancer needs vnet, name, subnet and frontendIpAddress")
	}
	if r := checkName("setLoadBalancer", e.Name); r != nil {
		return r
	}
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	lb := &topology.LoadBalancer{Name: e.Name, Subnet: v.Subnets[e.Subnet], FrontendIPAddress: e.FrontendIPAddress,
		SKU: e.SKU, Rules: slices.Clone(e.Rules)}
	if lb.Subnet == nil {
		return refusef(diag.UnknownReference, "load balancer %q names subnet %q, which %q does not have", e.Name, e.Subnet, e.VNet)
	}
	for _, b := range e.Backends {
		vm := v.VirtualMachines[b]
		if vm == nil {
			return refusef(diag.UnknownReference, "load balancer %q names backend %q, which is not a VM of %q", e.Name, b, e.VNet)
		}
		lb.Backends = append(lb.Backends, vm)
	}
	if old := v.LoadBalancers[e.Name]; old == nil || old.FrontendIPAddress != e.FrontendIPAddress {
		t.touchApplianceUsers(e.FrontendIPAddress)
	}
	if v.LoadBalancers == nil {
		v.LoadBalancers = map[string]*topology.LoadBalancer{}
	}
	v.LoadBalancers[e.Name] = lb
	return nil
}

// RemoveLoadBalancer removes an internal load balancer.
type RemoveLoadBalancer struct{ VNet, Name string }

// Kind implements Event.
func (RemoveLoadBalancer) Kind() string { return "removeLoadBalancer" }

// Fields implements Event.
func (e RemoveLoadBalancer) Fields() []Field { return []Field{{"vnet", e.VNet}, {"name", e.Name}} }

func (e RemoveLoadBalancer) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	if v.LoadBalancers[e.Name] == nil {
		return notFoundf("virtual network %q has no load balancer named %q", e.VNet, e.Name)
	}
	delete(v.LoadBalancers, e.Name)
	t.skipValidation = true
	return nil
}
