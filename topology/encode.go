package topology

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Marshal writes n in the topology file format (contract §1), so that
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
	if len(n.VirtualNetworks) > 0 {
		vnets := encMapping(false)
		for _, v := range n.SortedVirtualNetworks() {
			encAdd(vnets, v.Name, encodeVNet(n, v))
		}
		encAdd(root, "virtualNetworks", vnets)
	}
	if len(n.RouteTables) > 0 {
		rts := encMapping(false)
		for _, rt := range n.SortedRouteTables() {
			m := encMapping(false)
			if rt.DisableGatewayRoutePropagation {
				encAdd(m, "disableGatewayRoutePropagation", encBool(true))
			}
			routes := encSequence(false)
			for _, r := range rt.Routes {
				rm := encMapping(true)
				encAdd(rm, "name", encStr(r.Name))
				encAdd(rm, "addressPrefix", encStr(r.AddressPrefix.String()))
				encAdd(rm, "nextHopType", encStr(r.NextHopType.String()))
				if r.NextHopIPAddress.IsValid() {
					encAdd(rm, "nextHopIpAddress", encStr(r.NextHopIPAddress.String()))
				}
				routes.Content = append(routes.Content, rm)
			}
			encAdd(m, "routes", routes)
			encAdd(rts, rt.Name, m)
		}
		encAdd(root, "routeTables", rts)
	}
	if len(n.AccessControlLists) > 0 {
		acls := encMapping(false)
		for _, a := range n.SortedACLs() {
			m := encMapping(false)
			if a.InboundDefaultAction != Allow {
				encAdd(m, "inboundDefaultAction", encStr(a.InboundDefaultAction.String()))
			}
			if a.OutboundDefaultAction != Allow {
				encAdd(m, "outboundDefaultAction", encStr(a.OutboundDefaultAction.String()))
			}
			rules := encSequence(false)
			for _, r := range a.Rules {
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
				rules.Content = append(rules.Content, rm)
			}
			encAdd(m, "rules", rules)
			encAdd(acls, a.Name, m)
		}
		encAdd(root, "accessControlLists", acls)
	}
	if len(n.OnPremises) > 0 {
		sites := encMapping(false)
		for _, o := range n.SortedOnPremises() {
			m := encMapping(true)
			encAdd(m, "addressSpace", encPrefixes(o.AddressSpace))
			if len(o.Hosts) > 0 {
				hosts := encMapping(true)
				for _, h := range sortedKeys(o.Hosts) {
					encAdd(hosts, h, encStr(o.Hosts[h].String()))
				}
				encAdd(m, "hosts", hosts)
			}
			encAdd(sites, o.Name, m)
		}
		encAdd(root, "onPremises", sites)
	}
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
	if len(v.Subnets) > 0 {
		subnets := encMapping(false)
		for _, s := range v.SortedSubnets() {
			sm := encMapping(true)
			encAdd(sm, "addressPrefix", encStr(s.AddressPrefix.String()))
			if s.AccessControlList != nil {
				encAdd(sm, "accessControlList", encStr(s.AccessControlList.Name))
			}
			if s.RouteTable != nil {
				encAdd(sm, "routeTable", encStr(s.RouteTable.Name))
			}
			encAdd(subnets, s.Name, sm)
		}
		encAdd(m, "subnets", subnets)
	}
	if g := v.Gateway; g != nil {
		gm := encMapping(true)
		encAdd(gm, "name", encStr(g.Name))
		encAdd(gm, "type", encStr(g.Type.String()))
		if g.SKU != "" {
			encAdd(gm, "sku", encStr(g.SKU))
		}
		conns := encSequence(true)
		for _, o := range g.Connections {
			if o != nil {
				conns.Content = append(conns.Content, encStr(o.Name))
			}
		}
		encAdd(gm, "connections", conns)
		encAdd(m, "gateway", gm)
	}
	if len(v.VirtualMachines) > 0 {
		vms := encMapping(false)
		for _, vm := range v.SortedVirtualMachines() {
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
			encAdd(vms, vm.Name, vmm)
		}
		encAdd(m, "virtualMachines", vms)
	}
	if len(v.LoadBalancers) > 0 {
		lbs := encMapping(false)
		for _, lb := range v.SortedLoadBalancers() {
			lm := encMapping(true)
			if lb.Subnet != nil {
				encAdd(lm, "subnet", encStr(lb.Subnet.Name))
			}
			encAdd(lm, "frontendIpAddress", encStr(lb.FrontendIPAddress.String()))
			if lb.SKU != Standard {
				encAdd(lm, "sku", encStr(lb.SKU.String()))
			}
			backends := encSequence(true)
			for _, b := range lb.Backends {
				if b != nil {
					backends.Content = append(backends.Content, encStr(b.Name))
				}
			}
			encAdd(lm, "backends", backends)
			if lb.Rules != nil {
				rules := encSequence(true)
				for _, r := range lb.Rules {
					rm := encMapping(true)
					encAdd(rm, "protocol", encStr(r.Protocol.String()))
					encAdd(rm, "frontendPort", encInt(int(r.FrontendPort)))
					encAdd(rm, "backendPort", encInt(int(r.BackendPort)))
					rules.Content = append(rules.Content, rm)
				}
				encAdd(lm, "rules", rules)
			}
			encAdd(lbs, lb.Name, lm)
		}
		encAdd(m, "loadBalancers", lbs)
	}
	if len(v.Peerings) > 0 {
		ps := encMapping(false)
		for _, p := range v.SortedPeerings() {
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
			encAdd(ps, p.Name, pm)
		}
		encAdd(m, "peerings", ps)
	}
	return m
}

// YAML node builders.

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
