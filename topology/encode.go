package topology

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// MarshalOptions adjust what MarshalWith writes besides the network.
type MarshalOptions struct {
	// Header is written as comment lines at the top of the file.
	Header string
	// Comment, when set, returns a comment for the named object at a model
	// path (a VNet, a subnet, a VM, a peering, a route table, ...), written
	// on the line above it; "" writes none.
	Comment func(diag.Path) string
}

// Marshal writes n in the topology file format (docs/reference/topology.md), so that
// Load(Marshal(n)) gives n back. Keys follow the contract's order, maps are
// written in name order and values equal to their defaults are left out, so
// the same network always gives the same bytes. Leaf objects (a subnet, a
// VM, a peering, a rule) are written on one line each.
//
// A Disconnected peering is written with peeringState: Disconnected, and
// SyncedRemote as remoteAddressSpace when it differs from the remote's
// address space, so that Load gives both back.
func Marshal(n *Network) ([]byte, error) { return MarshalWith(n, MarshalOptions{}) }

// MarshalWith is Marshal with a header and comments.
func MarshalWith(n *Network, o MarshalOptions) ([]byte, error) {
	if n == nil {
		return nil, fmt.Errorf("marshal topology: nil network")
	}
	e := &encoder{comment: o.Comment}
	root := encMapping(false)
	encAdd(root, "name", encStr(n.Name))
	encAdd(root, "platform", encStr(n.Platform.String()))
	if n.NetworkController != "" {
		encAdd(root, "networkController", encStr(n.NetworkController))
	}
	encNamed(e, root, nil, "virtualNetworks", n.SortedVirtualNetworks(), func(v *VirtualNetwork) (string, *yaml.Node) {
		return v.Name, e.vnet(n, v)
	})
	encNamed(e, root, nil, "routeTables", n.SortedRouteTables(), func(rt *RouteTable) (string, *yaml.Node) {
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
	encNamed(e, root, nil, "accessControlLists", n.SortedACLs(), func(a *ACL) (string, *yaml.Node) {
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
			encOneOrMany(rm, "sourceAddressPrefix", "sourceAddressPrefixes", r.SourceAddressPrefixes)
			encOneOrMany(rm, "sourcePortRange", "sourcePortRanges", r.SourcePortRanges)
			encOneOrMany(rm, "destinationAddressPrefix", "destinationAddressPrefixes", r.DestinationAddressPrefixes)
			encOneOrMany(rm, "destinationPortRange", "destinationPortRanges", r.DestinationPortRanges)
			return rm
		}))
		return a.Name, m
	})
	encNamed(e, root, nil, "onPremises", n.SortedOnPremises(), func(o *OnPremises) (string, *yaml.Node) {
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
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}, HeadComment: commentLines(o.Header)}
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("marshal topology %s: %w", n.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshal topology %s: %w", n.Name, err)
	}
	return buf.Bytes(), nil
}

// encoder holds what one Marshal call writes besides the network.
type encoder struct {
	comment func(diag.Path) string
}

// commentOn returns the comment for the object at p, as yaml.v3 writes it.
func (e *encoder) commentOn(p diag.Path) string {
	if e == nil || e.comment == nil {
		return ""
	}
	return commentLines(e.comment(p))
}

// commentLines prefixes each line of text with "# ".
func commentLines(text string) string {
	if text == "" {
		return ""
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("# "+l, " ")
	}
	return strings.Join(lines, "\n")
}

func (e *encoder) vnet(n *Network, v *VirtualNetwork) *yaml.Node {
	path := vnetPath(v.Name)
	m := encMapping(false)
	if v.NetworkController != "" && v.NetworkController != n.NetworkController {
		encAdd(m, "networkController", encStr(v.NetworkController))
	}
	if v.Region != "" {
		encAdd(m, "region", encStr(v.Region))
	}
	encAdd(m, "addressSpace", encPrefixes(v.AddressSpace))
	encNamed(e, m, path, "subnets", v.SortedSubnets(), func(s *Subnet) (string, *yaml.Node) {
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
		m.Content[len(m.Content)-2].HeadComment = e.commentOn(path.Child("gateway"))
	}
	encNamed(e, m, path, "virtualMachines", v.SortedVirtualMachines(), func(vm *VirtualMachine) (string, *yaml.Node) {
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
	encNamed(e, m, path, "loadBalancers", v.SortedLoadBalancers(), func(lb *LoadBalancer) (string, *yaml.Node) {
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
	encNamed(e, m, path, "peerings", v.SortedPeerings(), func(p *Peering) (string, *yaml.Node) {
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
		if p.Disconnected {
			encAdd(pm, "peeringState", encStr(Disconnected.String()))
		}
		if r := n.VirtualNetworks[p.RemoteVirtualNetwork]; p.SyncedRemote != nil && (r == nil || !samePrefixes(p.SyncedRemote, r.AddressSpace)) {
			encAdd(pm, "remoteAddressSpace", encPrefixes(p.SyncedRemote))
		}
		return p.Name, pm
	})
	return m
}

// encOneOrMany adds a rule field under its singular key when it holds one
// entry, else under its plural key as a list. Entries are quoted: "*" and
// "22" must stay strings.
func encOneOrMany[T fmt.Stringer](m *yaml.Node, one, many string, items []T) {
	if len(items) == 1 {
		encAdd(m, one, encQuoted(items[0].String()))
		return
	}
	s := encSequence(true)
	for _, it := range items {
		s.Content = append(s.Content, encQuoted(it.String()))
	}
	encAdd(m, many, s)
}

// YAML node builders.

// encNamed adds key to m as a block mapping of items, each under the name
// enc gives it, unless there are no items. path is m's model path; each
// item gets the comment e has for it.
func encNamed[T any](e *encoder, m *yaml.Node, path diag.Path, key string, items []T, enc func(T) (string, *yaml.Node)) {
	if len(items) == 0 {
		return
	}
	named := encMapping(false)
	for _, it := range items {
		name, v := enc(it)
		encAdd(named, name, v)
		named.Content[len(named.Content)-2].HeadComment = e.commentOn(path.Child(key, name))
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
