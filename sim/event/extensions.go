package event

import (
	"net/netip"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// The events below extend the events every version has (docs/reference/vocabularies.md allows additions) so that a
// plan can reach any after-file: no contract event creates a load balancer,
// a route table or an ACL, or re-associates an existing subnet.

// ExtensionKinds lists the event keys that extend the contract.
var ExtensionKinds = []string{
	"setLoadBalancer", "removeLoadBalancer", "createRouteTable", "createAccessControlList", "setSubnet",
}

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

// RemoveLoadBalancer removes an internal load balancer.
type RemoveLoadBalancer struct{ VNet, Name string }

// CreateRouteTable creates a route table, which subnets then name.
type CreateRouteTable struct {
	Name                           string
	DisableGatewayRoutePropagation bool
	Routes                         []topology.Route
}

// CreateAccessControlList creates an access control list, which subnets
// and VMs then name.
type CreateAccessControlList struct {
	Name                  string
	InboundDefaultAction  topology.Action
	OutboundDefaultAction topology.Action
	Rules                 []topology.ACLRule
}

// SetSubnet changes which ACL and route table an existing subnet uses. A
// nil field is left as it is; a pointer to "" detaches.
type SetSubnet struct {
	VNet, Name        string
	AccessControlList *string
	RouteTable        *string
}

// Kind implements Event.
func (SetLoadBalancer) Kind() string { return "setLoadBalancer" }

// Kind implements Event.
func (RemoveLoadBalancer) Kind() string { return "removeLoadBalancer" }

// Kind implements Event.
func (CreateRouteTable) Kind() string { return "createRouteTable" }

// Kind implements Event.
func (CreateAccessControlList) Kind() string { return "createAccessControlList" }

// Kind implements Event.
func (SetSubnet) Kind() string { return "setSubnet" }

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

// Fields implements Event.
func (e RemoveLoadBalancer) Fields() []Field { return []Field{{"vnet", e.VNet}, {"name", e.Name}} }

// Fields implements Event.
func (e CreateRouteTable) Fields() []Field {
	out := []Field{{"name", e.Name}}
	if e.DisableGatewayRoutePropagation {
		out = append(out, Field{"disableGatewayRoutePropagation", true})
	}
	if len(e.Routes) > 0 {
		out = append(out, Field{"routes", fieldRows(e.Routes, eventRouteFields)})
	}
	return out
}

// Fields implements Event.
func (e CreateAccessControlList) Fields() []Field {
	out := []Field{{"name", e.Name}, {"inboundDefaultAction", e.InboundDefaultAction.String()},
		{"outboundDefaultAction", e.OutboundDefaultAction.String()}}
	if len(e.Rules) > 0 {
		out = append(out, Field{"rules", fieldRows(e.Rules, eventRuleFields)})
	}
	return out
}

// Fields implements Event.
func (e SetSubnet) Fields() []Field {
	out := []Field{{"vnet", e.VNet}, {"name", e.Name}}
	if e.AccessControlList != nil {
		out = append(out, Field{"accessControlList", *e.AccessControlList})
	}
	if e.RouteTable != nil {
		out = append(out, Field{"routeTable", *e.RouteTable})
	}
	return out
}

// fieldRows returns the fields of each item, for a list of mappings. The
// list is never nil, so an empty one is still written.
func fieldRows[T any](items []T, fields func(T) []Field) [][]Field {
	out := make([][]Field, 0, len(items))
	for _, it := range items {
		out = append(out, fields(it))
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
	if v.LoadBalancers[e.Name] == nil {
		t.endpoints[e.Name] = true
	}
	if v.LoadBalancers == nil {
		v.LoadBalancers = map[string]*topology.LoadBalancer{}
	}
	v.LoadBalancers[e.Name] = lb
	return nil
}

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

func (e CreateRouteTable) apply(t *tx) *Refusal {
	if e.Name == "" {
		return refusef(diag.MissingField, "createRouteTable needs a name")
	}
	if r := checkName("createRouteTable", e.Name); r != nil {
		return r
	}
	for _, rt := range e.Routes {
		if r := checkName("createRouteTable route", rt.Name); r != nil {
			return r
		}
	}
	if t.n.RouteTables[e.Name] != nil {
		return refusef(diag.DuplicateName, "route table %q already exists", e.Name)
	}
	t.n.RouteTables[e.Name] = &topology.RouteTable{Name: e.Name,
		DisableGatewayRoutePropagation: e.DisableGatewayRoutePropagation, Routes: slices.Clone(e.Routes)}
	return nil
}

func (e CreateAccessControlList) apply(t *tx) *Refusal {
	if e.Name == "" {
		return refusef(diag.MissingField, "createAccessControlList needs a name")
	}
	if r := checkName("createAccessControlList", e.Name); r != nil {
		return r
	}
	for _, rule := range e.Rules {
		if r := checkName("createAccessControlList rule", rule.Name); r != nil {
			return r
		}
	}
	if t.n.AccessControlLists[e.Name] != nil {
		return refusef(diag.DuplicateName, "access control list %q already exists", e.Name)
	}
	t.n.AccessControlLists[e.Name] = &topology.ACL{Name: e.Name, InboundDefaultAction: e.InboundDefaultAction,
		OutboundDefaultAction: e.OutboundDefaultAction, Rules: slices.Clone(e.Rules)}
	return nil
}

func (e SetSubnet) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	s := v.Subnets[e.Name]
	if s == nil {
		return notFoundf("virtual network %q has no subnet named %q", e.VNet, e.Name)
	}
	if e.AccessControlList != nil {
		if s.AccessControlList, r = subnetRef(t.n.AccessControlLists, "access control list", *e.AccessControlList, e.VNet, e.Name); r != nil {
			return r
		}
	}
	if e.RouteTable != nil {
		if s.RouteTable, r = subnetRef(t.n.RouteTables, "route table", *e.RouteTable, e.VNet, e.Name); r != nil {
			return r
		}
	}
	return nil
}

// compile-time proof that every extension event implements Event.
var (
	_ Event = SetLoadBalancer{}
	_ Event = RemoveLoadBalancer{}
	_ Event = CreateRouteTable{}
	_ Event = CreateAccessControlList{}
	_ Event = SetSubnet{}
)
