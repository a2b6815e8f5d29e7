package sim

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// EphemeralPort is the source port of every traced packet: the first port
// of the dynamic range Windows and Linux clients draw from. A rule with a
// restricted source port range is matched against it.
const EphemeralPort uint16 = 49152

// aclRule is one rule ready for matching, with where it came from.
type aclRule struct {
	topology.ACLRule
	path    diag.Path // accessControlLists.NAME.rules[i]; the ACL for defaults
	builtin bool      // an azure default rule
}

// sortedACL is an ACL's rules per direction in evaluation order.
type sortedACL struct {
	acl                   *topology.ACL
	in, out               []aclRule
	inDefault, outDefault topology.Action
}

// sortACL orders a's rules by priority, file order breaking ties; with
// nsg, azure's default rules follow the user's.
func sortACL(a *topology.ACL, nsg bool) *sortedACL {
	s := &sortedACL{acl: a, inDefault: a.InboundDefaultAction, outDefault: a.OutboundDefaultAction}
	for i, r := range a.Rules {
		ar := aclRule{ACLRule: r, path: diag.P("accessControlLists", a.Name, "rules").Index(i)}
		if r.Type == topology.Outbound {
			s.out = append(s.out, ar)
		} else {
			s.in = append(s.in, ar)
		}
	}
	byPriority := func(x, y aclRule) int { return cmp.Compare(x.Priority, y.Priority) }
	slices.SortStableFunc(s.in, byPriority)
	slices.SortStableFunc(s.out, byPriority)
	if nsg {
		s.in = append(s.in, nsgDefaults(a, topology.Inbound)...)
		s.out = append(s.out, nsgDefaults(a, topology.Outbound)...)
	}
	return s
}

// azureLoadBalancerAddr is the AzureLoadBalancer service tag's address.
var azureLoadBalancerAddr = netip.MustParsePrefix("168.63.129.16/32")

// nsgDefaults returns azure's default NSG rules for a direction
// (docs/semantics.md#acls), which follow the user's rules.
func nsgDefaults(a *topology.ACL, dir topology.Direction) []aclRule {
	any := topology.AnyAddress
	vnet := topology.AddressMatch{Tag: topology.TagVirtualNetwork}
	anyPort := []topology.PortRange{topology.AnyPort}
	rule := func(name string, prio int, src, dst topology.AddressMatch, act topology.Action) aclRule {
		return aclRule{ACLRule: topology.ACLRule{
			Name: name, Priority: prio, Type: dir, Action: act, Protocol: topology.ProtocolAll,
			SourceAddressPrefixes: []topology.AddressMatch{src}, SourcePortRanges: anyPort,
			DestinationAddressPrefixes: []topology.AddressMatch{dst}, DestinationPortRanges: anyPort,
		}, path: diag.P("accessControlLists", a.Name), builtin: true}
	}
	if dir == topology.Inbound {
		return []aclRule{
			rule("AllowVnetInBound", 65000, vnet, vnet, topology.Allow),
			rule("AllowAzureLoadBalancerInBound", 65001, topology.AddressMatch{Tag: topology.TagAzureLoadBalancer}, any, topology.Allow),
			rule("DenyAllInBound", 65500, any, any, topology.Deny),
		}
	}
	return []aclRule{
		rule("AllowVnetOutBound", 65000, vnet, vnet, topology.Allow),
		rule("AllowInternetOutBound", 65001, any, topology.AddressMatch{Tag: topology.TagInternet}, topology.Allow),
		rule("DenyAllOutBound", 65500, any, any, topology.Deny),
	}
}

// packet is what an ACL sees.
type packet struct {
	src, dst netip.Addr
	proto    topology.Protocol
	port     uint16
	// guards, when set, records every question asked about src (see memo).
	guards *guardLog
}

// filter evaluates the ACLs a packet meets entering (Inbound) or leaving
// (Outbound) a VM or subnet in VNet v (docs/semantics.md#acls). nic is the VM's own
// ACL (nil when none), subnet the subnet's. It returns whether the packet
// passes and the steps that decided; no ACL at all allows with no step.
//
// quiet skips building steps.
func (e *Engine) filter(v *topology.VirtualNetwork, dir topology.Direction, nic, subnet *topology.ACL, p packet, quiet bool) (bool, []Step) {
	if nic == nil && subnet == nil {
		return true, nil
	}
	tag := e.vnetTag(v)
	if !e.rules.NSGDefaultRules {
		// windows-sdn: NIC rules first, then subnet rules; the first match
		// decides, else either ACL's default Deny denies.
		var lists []*sortedACL
		for _, a := range []*topology.ACL{nic, subnet} {
			if a != nil {
				lists = append(lists, e.sorted(a))
			}
		}
		for _, s := range lists {
			for _, r := range s.rules(dir) {
				if r.matches(p, tag) {
					return r.Action == topology.Allow, ruleSteps(quiet, s.acl, r)
				}
			}
		}
		for _, s := range lists {
			if s.defaultAction(dir) == topology.Deny {
				return false, defaultSteps(quiet, s.acl, dir, topology.Deny)
			}
		}
		return true, defaultSteps(quiet, lists[0].acl, dir, topology.Allow)
	}
	// azure: each NSG decides on its own, inbound subnet then NIC,
	// outbound NIC then subnet; both must allow.
	order := []*topology.ACL{subnet, nic}
	if dir == topology.Outbound {
		order = []*topology.ACL{nic, subnet}
	}
	var steps []Step
	for _, a := range order {
		if a == nil {
			continue
		}
		s := e.sorted(a)
		for _, r := range s.rules(dir) {
			if r.matches(p, tag) {
				steps = append(steps, ruleSteps(quiet, a, r)...)
				if r.Action == topology.Deny {
					return false, steps
				}
				break
			}
		}
	}
	return true, steps
}

// sorted returns a's evaluation order, from the index of the network's
// ACLs (built on first use) or, for an ACL of another network state,
// computed now.
func (e *Engine) sorted(a *topology.ACL) *sortedACL {
	e.aclOnce.Do(func() {
		e.aclRules = make(map[*topology.ACL]*sortedACL, len(e.net.AccessControlLists))
		for _, a := range e.net.AccessControlLists {
			e.aclRules[a] = sortACL(a, e.rules.NSGDefaultRules)
		}
	})
	if s := e.aclRules[a]; s != nil {
		return s
	}
	return sortACL(a, e.rules.NSGDefaultRules)
}

func (s *sortedACL) rules(dir topology.Direction) []aclRule {
	if dir == topology.Outbound {
		return s.out
	}
	return s.in
}

func (s *sortedACL) defaultAction(dir topology.Direction) topology.Action {
	if dir == topology.Outbound {
		return s.outDefault
	}
	return s.inDefault
}

// matches reports whether r matches p; tag is the VirtualNetwork service
// tag of the VNet the ACL is applied in.
func (r aclRule) matches(p packet, tag *prefixSet) bool {
	if r.Protocol != topology.ProtocolAll && r.Protocol != p.proto {
		return false
	}
	src := false
	for _, m := range r.SourceAddressPrefixes {
		src = matchAddr(m, p.src, tag)
		p.guards.noteMatch(m, tag, src)
		if src {
			break
		}
	}
	if !src || !slices.ContainsFunc(r.DestinationAddressPrefixes, func(m topology.AddressMatch) bool { return matchAddr(m, p.dst, tag) }) {
		return false
	}
	if p.proto.HasPorts() {
		if !anyContains(r.SourcePortRanges, EphemeralPort) || !anyContains(r.DestinationPortRanges, p.port) {
			return false
		}
	}
	return true
}

// anyContains reports whether port lies in one of ranges.
func anyContains(ranges []topology.PortRange, port uint16) bool {
	return slices.ContainsFunc(ranges, func(r topology.PortRange) bool { return r.Contains(port) })
}

// matchAddr matches one ACL address entry; tag is the VirtualNetwork
// service tag where the rule is applied. Internet is every address outside
// it, AzureLoadBalancer the health-probe source (docs/reference/vocabularies.md).
func matchAddr(m topology.AddressMatch, a netip.Addr, tag *prefixSet) bool {
	switch {
	case m.Any:
		return true
	case m.Tag == topology.TagVirtualNetwork:
		return tag.contains(a)
	case m.Tag == topology.TagInternet:
		return !tag.contains(a)
	case m.Tag == topology.TagAzureLoadBalancer:
		return azureLoadBalancerAddr.Contains(a)
	}
	return m.Prefix.IsValid() && m.Prefix.Contains(a)
}

func verb(a topology.Action) string {
	if a == topology.Allow {
		return "allows"
	}
	return "denies"
}

func ruleSteps(quiet bool, a *topology.ACL, r aclRule) []Step {
	if quiet {
		return nil
	}
	return []Step{{Kind: StepACL, Source: r.path,
		Detail: fmt.Sprintf("%s/%s (priority %d) %s", a.Name, r.Name, r.Priority, verb(r.Action))}}
}

func defaultSteps(quiet bool, a *topology.ACL, dir topology.Direction, act topology.Action) []Step {
	if quiet {
		return nil
	}
	return []Step{{Kind: StepACL, Source: diag.P("accessControlLists", a.Name),
		Detail: fmt.Sprintf("%s default %s action %s", a.Name, dirWord(dir), verb(act))}}
}

func dirWord(d topology.Direction) string {
	if d == topology.Outbound {
		return "outbound"
	}
	return "inbound"
}

// vnetTag returns the VirtualNetwork service tag of v: its ranges, the
// ranges of Connected peers whose access is allowed on both objects, and the
// on-premises prefixes learned by its own or its hub's gateway;
// on azure also the prefixes of the user routes in the route tables of v's
// subnets, but for a default route, which would hold the whole internet
// (docs/semantics.md#azure-nsgs).
func (e *Engine) vnetTag(v *topology.VirtualNetwork) *prefixSet {
	if s, ok := e.vnetTags.Load(v); ok {
		return s.(*prefixSet)
	}
	lists := [][]netip.Prefix{v.AddressSpace}
	if e.rules.VirtualNetworkTagHasUserRoutes {
		var routed []netip.Prefix
		for _, s := range v.Subnets {
			if s.RouteTable == nil {
				continue
			}
			for _, r := range s.RouteTable.Routes {
				if r.AddressPrefix.Bits() > 0 {
					routed = append(routed, r.AddressPrefix.Masked())
				}
			}
		}
		lists = append(lists, routed)
	}
	for _, p := range e.peeringListOf(v) {
		remote := e.net.VirtualNetworks[p.RemoteVirtualNetwork]
		if remote != nil && e.accessAllowed(v, remote) {
			lists = append(lists, e.peeredRanges(p, remote))
		}
	}
	gw := v
	if hub := e.transitHubOf(v); hub != nil {
		gw = hub
	}
	if gw.Gateway != nil {
		for _, o := range gw.Gateway.Connections {
			if o != nil {
				lists = append(lists, o.AddressSpace)
			}
		}
	}
	s, _ := e.vnetTags.LoadOrStore(v, newPrefixSet(lists...))
	return s.(*prefixSet)
}
