package topology

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Marshal writes n in the topology file format (docs/reference/topology.md), so that
// Load(Marshal(n)) gives n back. Keys follow the contract's order, maps are
// written in name order and values equal to their defaults are left out, so
// the same network always gives the same bytes. Leaf objects (a subnet, a
// VM, a peering, a rule) are written on one line each.
//
// State that a file cannot hold is not written: a Disconnected peering is
// written as an ordinary one, and SyncedRemote is what Load derives.
func Marshal(n *Network) ([]byte, error) {
	if n == nil {
		return nil, fmt.Errorf("marshal topology: nil network")
	}
	root := encMapping(false)
	encAdd(root, "name", encStr(n.Name))
	encAdd(root, "platform", encStr(n.Platform.String()))
	if n.NetworkController != "" {
		encAdd(root, "networkController", encStr(n.NetworkController))
	}
	encNamed(root, "virtualNetworks", n.SortedVirtualNetworks(), func(v *VirtualNetwork) (string, *yaml.Node) {
		return v.Name, encodeVNet(n, v)
	})
	encNamed(root, "routeTables", n.SortedRouteTables(), func(rt *RouteTable) (string, *yaml.Node) {
		m := encMapping(false)
		if rt.DisableGatewayRoutePropagation {
			encAdd(m, "disableGatewayRoutePropagation", encBool(true))
		}
		encAdd(m, "routes", encList(false, rt.Routes, func(r Route) *yaml.Node {
			rm := encMapping(true)
			encAdd(rm, "name", encStr(r.Name))
			encAdd(rm, "addressPrefix", encStr(r.AddressPrefix.String()))
			encAdd(rm, "nextHopType", encStr(r.NextHopType.String()))
			if r.NextHopIPAddress.IsValid() {
				encAdd(rm, "nextHopIpAddress", encStr(r.NextHopIPAddress.String()))
			}
			return rm
		}))
		return rt.Name, m
	})
	encNamed(root, "accessControlLists", n.SortedACLs(), func(a *ACL) (string, *yaml.Node) {
		m := encMapping(false)
		if a.InboundDefaultAction != Allow {
			encAdd(m, "inboundDefaultAction", encStr(a.InboundDefaultAction.String()))
		}
		if a.OutboundDefaultAction != Allow {
			encAdd(m, "outboundDefaultAction", encStr(a.OutboundDefaultAction.String()))
		}
		encAdd(m, "rules", encList(false, a.Rules, func(r ACLRule) *yaml.Node {
			rm := encMapping(true)
			encAdd(rm, "name", encStr(r.Name))
			encAdd(rm, "priority", encInt(r.Priority))
			encAdd(rm, "type", encStr(r.Type.String()))
			encAdd(rm, "action", encStr(r.Action.String()))
			encAdd(rm, "protocol", encStr(r.Protocol.String()))
			encAdd(rm, "sourceAddressPrefix", encQuoted(r.SourceAddressPrefix.String()))
			encAdd(rm, "sourcePortRange", encQuoted(r.SourcePortRange.String()))
			encAdd(rm, "destinationAddressPrefix", encQuoted(r.DestinationAddressPrefix.String()))
			encAdd(rm, "destinationPortRange", encQuoted(r.DestinationPortRange.String()))
			return rm
		}))
		return a.Name, m
	})
	encNamed(root, "onPremises", n.SortedOnPremises(), func(o *OnPremises) (string, *yaml.Node) {
		m := encMapping(true)
		encAdd(m, "addressSpace", encPrefixes(o.AddressSpace))
		if len(o.Hosts) > 0 {
			hosts := encMapping(true)
			for _, h := range sortedKeys(o.Hosts) {
				encAdd(hosts, h, encStr(o.Hosts[h].String()))
			}
			encAdd(m, "hosts", hosts)
		}
		return o.Name, m
	})
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, fmt.Errorf("marshal topology %s: %w", n.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal topology %s: %w", n.Name, err)
	}
	return buf.Bytes(), nil
}

func encodeVNet(n *Network, v *VirtualNetwork) *yaml.Node {
	m := encMapping(false)
	if v.NetworkController != "" && v.NetworkController != n.NetworkController {
		encAdd(m, "networkController", encStr(v.NetworkController))
	}
	if v.Region != "" {
		encAdd(m, "region", encStr(v.Region))
	}
	encAdd(m, "addressSpace", encPrefixes(v.AddressSpace))
	encNamed(m, "subnets", v.SortedSubnets(), func(s *Subnet) (string, *yaml.Node) {
		sm := encMapping(true)
		encAdd(sm, "addressPrefix", encStr(s.AddressPrefix.String()))
		if s.AccessControlList != nil {
			encAdd(sm, "accessControlList", encStr(s.AccessControlList.Name))
		}
		if s.RouteTable != nil {
			encAdd(sm, "routeTable", encStr(s.RouteTable.Name))
		}
		return s.Name, sm
	})
	if g := v.Gateway; g != nil {
		gm := encMapping(true)
		encAdd(gm, "name", encStr(g.Name))
		encAdd(gm, "type", encStr(g.Type.String()))
		if g.SKU != "" {
			encAdd(gm, "sku", encStr(g.SKU))
		}
		encAdd(gm, "connections", encNames(g.Connections, func(o *OnPremises) string { return o.Name }))
		encAdd(m, "gateway", gm)
	}
	encNamed(m, "virtualMachines", v.SortedVirtualMachines(), func(vm *VirtualMachine) (string, *yaml.Node) {
		vmm := encMapping(true)
		if vm.Subnet != nil {
			encAdd(vmm, "subnet", encStr(vm.Subnet.Name))
		}
		encAdd(vmm, "ipAddress", encStr(vm.IPAddress.String()))
		if vm.IPForwarding {
			encAdd(vmm, "ipForwarding", encBool(true))
		}
		if vm.AccessControlList != nil {
			encAdd(vmm, "accessControlList", encStr(vm.AccessControlList.Name))
		}
		if !vm.Running {
			encAdd(vmm, "running", encBool(false))
		}
		if vm.BandwidthMbps > 0 {
			encAdd(vmm, "bandwidthMbps", encInt(vm.BandwidthMbps))
		}
		return vm.Name, vmm
	})
	encNamed(m, "loadBalancers", v.SortedLoadBalancers(), func(lb *LoadBalancer) (string, *yaml.Node) {
		lm := encMapping(true)
		if lb.Subnet != nil {
			encAdd(lm, "subnet", encStr(lb.Subnet.Name))
		}
		encAdd(lm, "frontendIpAddress", encStr(lb.FrontendIPAddress.String()))
		if lb.SKU != Standard {
			encAdd(lm, "sku", encStr(lb.SKU.String()))
		}
		encAdd(lm, "backends", encNames(lb.Backends, func(b *VirtualMachine) string { return b.Name }))
		if lb.Rules != nil {
			encAdd(lm, "rules", encList(true, lb.Rules, func(r LoadBalancerRule) *yaml.Node {
				rm := encMapping(true)
				encAdd(rm, "protocol", encStr(r.Protocol.String()))
				encAdd(rm, "frontendPort", encInt(int(r.FrontendPort)))
				encAdd(rm, "backendPort", encInt(int(r.BackendPort)))
				return rm
			}))
		}
		return lb.Name, lm
	})
	encNamed(m, "peerings", v.SortedPeerings(), func(p *Peering) (string, *yaml.Node) {
		pm := encMapping(true)
		encAdd(pm, "remoteVirtualNetwork", encStr(p.RemoteVirtualNetwork))
		if !p.AllowVirtualNetworkAccess {
			encAdd(pm, "allowVirtualNetworkAccess", encBool(false))
		}
		for _, f := range []struct {
			key string
			on  bool
		}{{"allowForwardedTraffic", p.AllowForwardedTraffic}, {"allowGatewayTransit", p.AllowGatewayTransit}, {"useRemoteGateways", p.UseRemoteGateways}} {
			if f.on {
				encAdd(pm, f.key, encBool(true))
			}
		}
		return p.Name, pm
	})
	return m
}

// YAML node builders.

// encNamed adds key to m as a block mapping of items, each under the name
// enc gives it, unless there are no items.
func encNamed[T any](m *yaml.Node, key string, items []T, enc func(T) (string, *yaml.Node)) {
	if len(items) == 0 {
		return
	}
	named := encMapping(false)
	for _, it := range items {
		name, v := enc(it)
		encAdd(named, name, v)
	}
	encAdd(m, key, named)
}

// encList returns a sequence of items, each encoded by enc.
func encList[T any](flow bool, items []T, enc func(T) *yaml.Node) *yaml.Node {
	s := encSequence(flow)
	for _, it := range items {
		s.Content = append(s.Content, enc(it))
	}
	return s
}

// encNames returns a flow sequence of the names of the items that are not nil.
func encNames[T any](items []*T, name func(*T) string) *yaml.Node {
	s := encSequence(true)
	for _, it := range items {
		if it != nil {
			s.Content = append(s.Content, encStr(name(it)))
		}
	}
	return s
}

func encMapping(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func encSequence(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func encAdd(m *yaml.Node, key string, v *yaml.Node) { m.Content = append(m.Content, encStr(key), v) }

func encStr(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// encQuoted writes s in double quotes: "*" and "22" must stay strings.
func encQuoted(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

func encInt(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

func encBool(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func encPrefixes(ps []netip.Prefix) *yaml.Node {
	s := encSequence(true)
	for _, p := range ps {
		s.Content = append(s.Content, encStr(p.String()))
	}
	return s
}
