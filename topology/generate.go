package topology

import (
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
)

// GenerateOptions shapes a synthetic hub-and-spoke estate.
type GenerateOptions struct {
	Name     string   // the network's name; "" means "hub-spoke"
	Platform Platform // windows-sdn by default
	// Hubs is the number of hubs, meshed with each other (1-64; 0 means 1).
	Hubs int
	// Spokes is the number of spokes per hub (0-16384 in all; 0 means none).
	Spokes int
	// SubnetsPerSpoke is the number of subnets per spoke (1-64; 0 means 4).
	SubnetsPerSpoke int
}

// Generation limits that keep the address plan inside its blocks.
const (
	maxGenHubs            = 64    // 100.64.0.0/10 holds 64 hub /16s
	maxGenSpokes          = 16384 // 10.0.0.0/8 holds 16384 spoke /22s
	maxGenSubnetsPerSpoke = 64    // a /22 holds 64 /28s
)

// MaxGenerateSpokes is the most spokes Generate places, over all hubs.
const MaxGenerateSpokes = maxGenSpokes

// MaxSpokesPerHub returns the most spokes per hub Generate places with
// hubs hubs (1-64): each hub's spokes take an aligned power-of-two block of
// /22s in 10.0.0.0/8, so 16384 with one hub, 4096 with three.
func MaxSpokesPerHub(hubs int) int {
	return 1 << (bits.Len(uint(maxGenSpokes/min(max(hubs, 1), maxGenHubs))) - 1)
}

// Generate builds a hub-and-spoke estate for benchmarks and demos
// (docs/reference/commands.md, generate). Every hub has a network virtual appliance with
// ipForwarding, a VPN gateway to its own on-premises site and gateway
// transit for its spokes; hubs are fully meshed; every spoke has
// SubnetsPerSpoke subnets, two VMs, a route table sending the other spokes
// and hubs through its hub's appliance, and an ACL. All peerings are
// Connected and addresses never overlap:
//
//   - hub h is 100.(64+h).0.0/16 (appliance subnet .1.0/24, appliance .1.4,
//     GatewaySubnet .255.0/27);
//   - hub h's spokes share the aligned block of 10.0.0.0/8 that starts at
//     h × 2^ceil(log2(Spokes)) × 1024 addresses, one /22 per spoke, so one
//     route per hub covers all of its spokes;
//   - on-premises site h is 172.16.0.0/12 + h × 4096, a /20.
//
// The same options always give the same network. Options outside the
// limits are clamped.
func Generate(opts GenerateOptions) *Network {
	hubs := min(max(opts.Hubs, 1), maxGenHubs)
	// Each hub's block is a power of two of /22s, and all blocks fit in
	// 10.0.0.0/8.
	spokes := min(max(opts.Spokes, 0), MaxSpokesPerHub(hubs))
	perSpoke := opts.SubnetsPerSpoke
	if perSpoke <= 0 {
		perSpoke = 4
	}
	perSpoke = min(perSpoke, maxGenSubnetsPerSpoke)
	name := opts.Name
	if name == "" {
		name = "hub-spoke"
	}
	n := &Network{
		Name: name, Platform: opts.Platform, NetworkController: "nc1",
		VirtualNetworks:    map[string]*VirtualNetwork{},
		RouteTables:        map[string]*RouteTable{},
		AccessControlLists: map[string]*ACL{},
		OnPremises:         map[string]*OnPremises{},
	}
	// Spoke blocks are aligned powers of two so that one prefix covers a
	// hub's spokes.
	blockBits := 0
	if spokes > 1 {
		blockBits = bits.Len(uint(spokes - 1))
	}
	subnetBits := 22 + bits.Len(uint(perSpoke-1)) // /24 for 4 subnets
	hubRange := func(h int) netip.Prefix {
		return netip.PrefixFrom(netip.AddrFrom4([4]byte{100, byte(64 + h), 0, 0}), 16)
	}
	spokeBlock := func(h int) netip.Prefix {
		return netip.PrefixFrom(addr4(10<<24+uint32(h)<<(blockBits+10)), 22-blockBits)
	}
	applianceIP := func(h int) netip.Addr { return netip.AddrFrom4([4]byte{100, byte(64 + h), 1, 4}) }

	for h := range hubs {
		site := &OnPremises{
			Name:         fmt.Sprintf("dc%02d", h),
			AddressSpace: []netip.Prefix{netip.PrefixFrom(addr4(172<<24|16<<16+uint32(h)<<12), 20)},
			Hosts:        map[string]netip.Addr{fmt.Sprintf("op%02d", h): addr4(172<<24 | 16<<16 + uint32(h)<<12 + 10)},
		}
		n.OnPremises[site.Name] = site

		hub := &VirtualNetwork{
			Name: hubName(h), NetworkController: "nc1", AddressSpace: []netip.Prefix{hubRange(h)},
			Subnets: map[string]*Subnet{}, VirtualMachines: map[string]*VirtualMachine{},
			LoadBalancers: map[string]*LoadBalancer{}, Peerings: map[string]*Peering{},
			Gateway: &Gateway{Name: fmt.Sprintf("gw-%02d", h), Type: Vpn, SKU: "VpnGw1", Connections: []*OnPremises{site}},
		}
		nvaRT := &RouteTable{Name: fmt.Sprintf("rt-%s-nva", hub.Name)}
		for o := range hubs {
			if o != h && spokes > 0 {
				nvaRT.Routes = append(nvaRT.Routes, Route{
					Name: "to-" + hubName(o) + "-spokes", AddressPrefix: spokeBlock(o),
					NextHopType: NextHopVirtualAppliance, NextHopIPAddress: applianceIP(o),
				})
			}
		}
		var nvaTable *RouteTable
		if len(nvaRT.Routes) > 0 {
			n.RouteTables[nvaRT.Name] = nvaRT
			nvaTable = nvaRT
		}
		nvaSubnet := &Subnet{Name: "nva", VirtualNetwork: hub, RouteTable: nvaTable,
			AddressPrefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{100, byte(64 + h), 1, 0}), 24)}
		hub.Subnets["nva"] = nvaSubnet
		hub.Subnets["GatewaySubnet"] = &Subnet{Name: "GatewaySubnet", VirtualNetwork: hub,
			AddressPrefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{100, byte(64 + h), 255, 0}), 27)}
		nva := &VirtualMachine{Name: fmt.Sprintf("nva-%02d", h), Subnet: nvaSubnet, IPAddress: applianceIP(h), IPForwarding: true, Running: true}
		hub.VirtualMachines[nva.Name] = nva
		n.VirtualNetworks[hub.Name] = hub

		if spokes > 0 {
			rt := &RouteTable{Name: fmt.Sprintf("rt-%s-spokes", hub.Name), Routes: []Route{
				{Name: "spokes-via-nva", AddressPrefix: netip.MustParsePrefix("10.0.0.0/8"), NextHopType: NextHopVirtualAppliance, NextHopIPAddress: applianceIP(h)},
				{Name: "hubs-via-nva", AddressPrefix: netip.MustParsePrefix("100.64.0.0/10"), NextHopType: NextHopVirtualAppliance, NextHopIPAddress: applianceIP(h)},
			}}
			n.RouteTables[rt.Name] = rt
			// Spokes keep each other off SSH and accept everything else
			// from the estate explicitly, whatever the azure VirtualNetwork
			// tag holds (the other spokes only through the 10.0.0.0/8
			// route).
			estate := AddressMatch{Prefix: netip.MustParsePrefix("10.0.0.0/8")}
			acl := &ACL{Name: fmt.Sprintf("acl-%s-spokes", hub.Name), Rules: []ACLRule{{
				Name: "deny-ssh-from-spokes", Priority: 200, Type: Inbound, Action: Deny, Protocol: TCP,
				SourceAddressPrefixes: []AddressMatch{estate}, SourcePortRanges: []PortRange{AnyPort},
				DestinationAddressPrefixes: []AddressMatch{AnyAddress}, DestinationPortRanges: []PortRange{{22, 22}},
			}, {
				Name: "allow-estate", Priority: 300, Type: Inbound, Action: Allow, Protocol: ProtocolAll,
				SourceAddressPrefixes: []AddressMatch{estate}, SourcePortRanges: []PortRange{AnyPort},
				DestinationAddressPrefixes: []AddressMatch{AnyAddress}, DestinationPortRanges: []PortRange{AnyPort},
			}}}
			n.AccessControlLists[acl.Name] = acl
			for s := range spokes {
				sp := generateSpoke(h, s, spokeBlock(h), perSpoke, subnetBits, rt, acl)
				n.VirtualNetworks[sp.Name] = sp
				peer(hub, sp, &Peering{AllowGatewayTransit: true}, &Peering{UseRemoteGateways: true, AllowForwardedTraffic: true})
			}
		}
	}
	for h := range hubs {
		for o := h + 1; o < hubs; o++ {
			// The appliances forward spoke traffic between hubs, so each
			// hub accepts forwarded traffic from the other.
			peer(n.VirtualNetworks[hubName(h)], n.VirtualNetworks[hubName(o)],
				&Peering{AllowForwardedTraffic: true}, &Peering{AllowForwardedTraffic: true})
		}
	}
	return n
}

func hubName(h int) string { return fmt.Sprintf("hub%02d", h) }

func addr4(u uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
}

// generateSpoke builds spoke s of hub h inside block.
func generateSpoke(h, s int, block netip.Prefix, perSpoke, subnetBits int, rt *RouteTable, acl *ACL) *VirtualNetwork {
	base := block.Addr().As4()
	start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	start += uint32(s) << 10
	sp := &VirtualNetwork{
		Name: fmt.Sprintf("spoke%02d-%03d", h, s), NetworkController: "nc1",
		AddressSpace: []netip.Prefix{netip.PrefixFrom(addr4(start), 22)},
		Subnets:      map[string]*Subnet{}, VirtualMachines: map[string]*VirtualMachine{},
		LoadBalancers: map[string]*LoadBalancer{}, Peerings: map[string]*Peering{},
	}
	size := uint32(1) << (32 - subnetBits)
	var subnets []*Subnet
	for i := range perSpoke {
		sn := &Subnet{Name: fmt.Sprintf("s%d", i), VirtualNetwork: sp, RouteTable: rt, AccessControlList: acl,
			AddressPrefix: netip.PrefixFrom(addr4(start+uint32(i)*size), subnetBits)}
		sp.Subnets[sn.Name] = sn
		subnets = append(subnets, sn)
	}
	for i, suffix := range []string{"a", "b"} {
		sn := subnets[min(i, len(subnets)-1)]
		ip := sn.AddressPrefix.Addr().As4()
		ip[3] += byte(4 + i)
		vm := &VirtualMachine{Name: fmt.Sprintf("vm%02d-%03d-%s", h, s, suffix), Subnet: sn, IPAddress: netip.AddrFrom4(ip), Running: true}
		sp.VirtualMachines[vm.Name] = vm
	}
	return sp
}

// peer creates both objects between a and b, Connected, with the given
// flags on P(a→b) and P(b→a); access is allowed and, on azure, each side
// has synced the other's address space.
func peer(a, b *VirtualNetwork, ab, ba *Peering) {
	ab.Name, ab.RemoteVirtualNetwork = a.Name+"-to-"+b.Name, b.Name
	ba.Name, ba.RemoteVirtualNetwork = b.Name+"-to-"+a.Name, a.Name
	ab.AllowVirtualNetworkAccess, ba.AllowVirtualNetworkAccess = true, true
	ab.SyncedRemote, ba.SyncedRemote = slices.Clone(b.AddressSpace), slices.Clone(a.AddressSpace)
	a.Peerings[ab.Name] = ab
	b.Peerings[ba.Name] = ba
}
