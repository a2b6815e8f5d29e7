package event

import (
	"net/netip"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// SubnetSpec describes a subnet to create. AccessControlList and RouteTable
// are names; "" means none.
type SubnetSpec struct {
	Name              string
	AddressPrefix     netip.Prefix
	AccessControlList string
	RouteTable        string
}

func (s SubnetSpec) fields() []Field {
	out := []Field{{"addressPrefix", s.AddressPrefix.String()}}
	out = appendNonEmpty(out, "accessControlList", s.AccessControlList)
	return appendNonEmpty(out, "routeTable", s.RouteTable)
}

// AddSubnet adds a subnet to a VNet.
type AddSubnet struct {
	VNet   string
	Subnet SubnetSpec
}

// Kind implements Event.
func (AddSubnet) Kind() string { return "addSubnet" }

// Fields implements Event.
func (e AddSubnet) Fields() []Field {
	return append([]Field{{"vnet", e.VNet}, {"name", e.Subnet.Name}}, e.Subnet.fields()...)
}

func (e AddSubnet) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	return t.addSubnet(v, e.Subnet)
}

func (t *tx) addSubnet(v *topology.VirtualNetwork, s SubnetSpec) *Refusal {
	if s.Name == "" || !s.AddressPrefix.IsValid() {
		return refusef(diag.MissingField, "a subnet of %q needs a name and an addressPrefix", v.Name)
	}
	if r := checkName("subnet", s.Name); r != nil {
		return r
	}
	if v.Subnets[s.Name] != nil {
		return refusef(diag.DuplicateName, "virtual network %q already has a subnet named %q", v.Name, s.Name)
	}
	ns := &topology.Subnet{Name: s.Name, VirtualNetwork: v, AddressPrefix: s.AddressPrefix}
	var r *Refusal
	if ns.AccessControlList, r = subnetRef(t.n.AccessControlLists, "access control list", s.AccessControlList, v.Name, s.Name); r != nil {
		return r
	}
	if ns.RouteTable, r = subnetRef(t.n.RouteTables, "route table", s.RouteTable, v.Name, s.Name); r != nil {
		return r
	}
	if v.Subnets == nil {
		v.Subnets = map[string]*topology.Subnet{}
	}
	v.Subnets[s.Name] = ns
	return nil
}

// subnetRef returns the object named name in m, for subnet vnet/subnet to
// use: nil when name is "" (none), an unknown-reference refusal, worded
// with kind, when m has no such object.
func subnetRef[V any](m map[string]*V, kind, name, vnet, subnet string) (*V, *Refusal) {
	if name == "" {
		return nil, nil
	}
	if x := m[name]; x != nil {
		return x, nil
	}
	return nil, refusef(diag.UnknownReference, "subnet %s/%s names %s %q, which does not exist", vnet, subnet, kind, name)
}

// RemoveSubnet removes an empty subnet from a VNet.
type RemoveSubnet struct{ VNet, Name string }

// Kind implements Event.
func (RemoveSubnet) Kind() string { return "removeSubnet" }

// Fields implements Event.
func (e RemoveSubnet) Fields() []Field { return []Field{{"vnet", e.VNet}, {"name", e.Name}} }

func (e RemoveSubnet) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	if v.Subnets[e.Name] == nil {
		return notFoundf("virtual network %q has no subnet named %q", e.VNet, e.Name)
	}
	if users := v.SubnetUsers(e.Name); len(users) > 0 {
		return refusef(diag.AddressRangeInUse, "subnet %s/%s is in use by %s; move or remove them first", e.VNet, e.Name, listSome(users, 3))
	}
	delete(v.Subnets, e.Name)
	t.skipValidation = true
	return nil
}

// SetSubnet changes which ACL and route table an existing subnet uses. A
// nil field is left as it is; a pointer to "" detaches.
type SetSubnet struct {
	VNet, Name        string
	AccessControlList *string
	RouteTable        *string
}

// Kind implements Event.
func (SetSubnet) Kind() string { return "setSubnet" }

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
