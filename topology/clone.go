package topology

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of n whose pointers all point into the copy, so
// that an event can change the copy and be thrown away if refused.
func (n *Network) Clone() *Network {
	c := &Network{
		Name:               n.Name,
		Platform:           n.Platform,
		NetworkController:  n.NetworkController,
		VirtualNetworks:    make(map[string]*VirtualNetwork, len(n.VirtualNetworks)),
		RouteTables:        make(map[string]*RouteTable, len(n.RouteTables)),
		AccessControlLists: make(map[string]*ACL, len(n.AccessControlLists)),
		OnPremises:         make(map[string]*OnPremises, len(n.OnPremises)),
	}
	for k, rt := range n.RouteTables {
		c.RouteTables[k] = &RouteTable{rt.Name, rt.DisableGatewayRoutePropagation, slices.Clone(rt.Routes)}
	}
	for k, a := range n.AccessControlLists {
		c.AccessControlLists[k] = &ACL{a.Name, a.InboundDefaultAction, a.OutboundDefaultAction, cloneRules(a.Rules)}
	}
	for k, o := range n.OnPremises {
		c.OnPremises[k] = &OnPremises{o.Name, slices.Clone(o.AddressSpace), maps.Clone(o.Hosts)}
	}
	for k, v := range n.VirtualNetworks {
		c.VirtualNetworks[k] = c.cloneVNet(v)
	}
	return c
}

// cloneRules copies rules and the address and port lists each rule holds.
func cloneRules(rules []ACLRule) []ACLRule {
	out := slices.Clone(rules)
	for i := range out {
		r := &out[i]
		r.SourceAddressPrefixes, r.DestinationAddressPrefixes = slices.Clone(r.SourceAddressPrefixes), slices.Clone(r.DestinationAddressPrefixes)
		r.SourcePortRanges, r.DestinationPortRanges = slices.Clone(r.SourcePortRanges), slices.Clone(r.DestinationPortRanges)
	}
	return out
}

// cloneVNet returns a deep copy of v whose references to route
// tables, ACLs and on-premises sites point into c (by name). It lets an
// event copy only the VNets it touches.
func (c *Network) cloneVNet(v *VirtualNetwork) *VirtualNetwork {
	nv := c.copyVNet(v)
	for k, p := range nv.Peerings {
		np := *p
		np.SyncedRemote = slices.Clone(p.SyncedRemote)
		nv.Peerings[k] = &np
	}
	return nv
}

// copyVNet is cloneVNet sharing v's peering objects.
func (c *Network) copyVNet(v *VirtualNetwork) *VirtualNetwork {
	nv := &VirtualNetwork{
		Name:              v.Name,
		NetworkController: v.NetworkController,
		Region:            v.Region,
		AddressSpace:      slices.Clone(v.AddressSpace),
		Subnets:           make(map[string]*Subnet, len(v.Subnets)),
		VirtualMachines:   make(map[string]*VirtualMachine, len(v.VirtualMachines)),
		LoadBalancers:     make(map[string]*LoadBalancer, len(v.LoadBalancers)),
		Peerings:          make(map[string]*Peering, len(v.Peerings)),
	}
	for k, s := range v.Subnets {
		nv.Subnets[k] = &Subnet{
			Name:              s.Name,
			VirtualNetwork:    nv,
			AddressPrefix:     s.AddressPrefix,
			AccessControlList: c.acl(s.AccessControlList),
			RouteTable:        c.routeTable(s.RouteTable),
		}
	}
	if g := v.Gateway; g != nil {
		ng := &Gateway{Name: g.Name, Type: g.Type, SKU: g.SKU}
		for _, o := range g.Connections {
			ng.Connections = append(ng.Connections, c.OnPremises[o.Name])
		}
		nv.Gateway = ng
	}
	for k, vm := range v.VirtualMachines {
		nvm := *vm
		nvm.Subnet = nv.Subnets[vm.Subnet.Name]
		nvm.AccessControlList = c.acl(vm.AccessControlList)
		nv.VirtualMachines[k] = &nvm
	}
	for k, lb := range v.LoadBalancers {
		nlb := *lb
		nlb.Subnet = nv.Subnets[lb.Subnet.Name]
		nlb.Rules = slices.Clone(lb.Rules)
		nlb.Backends = nil
		for _, b := range lb.Backends {
			nlb.Backends = append(nlb.Backends, nv.VirtualMachines[b.Name])
		}
		nv.LoadBalancers[k] = &nlb
	}
	maps.Copy(nv.Peerings, v.Peerings)
	return nv
}

func (c *Network) acl(a *ACL) *ACL {
	if a == nil {
		return nil
	}
	return c.AccessControlLists[a.Name]
}

func (c *Network) routeTable(rt *RouteTable) *RouteTable {
	if rt == nil {
		return nil
	}
	return c.RouteTables[rt.Name]
}

// CloneVirtualNetwork returns a deep copy of v whose references to route
// tables, ACLs and on-premises sites point, by name, into n's maps. It lets
// an event copy only the VNets it touches instead of the whole network.
func (n *Network) CloneVirtualNetwork(v *VirtualNetwork) *VirtualNetwork { return n.cloneVNet(v) }

// CopyVirtualNetwork is CloneVirtualNetwork, except that the copy shares
// v's peering objects: a hub's thousand objects are not copied for an
// event that changes one of them. The caller copies an object before it
// changes it.
func (n *Network) CopyVirtualNetwork(v *VirtualNetwork) *VirtualNetwork { return n.copyVNet(v) }
