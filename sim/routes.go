package sim

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// RouteSource is where an effective route came from (docs/reference/json.md).
type RouteSource uint8

const (
	SourceDefault               RouteSource = iota // a system route
	SourceUser                                     // a route of the subnet's route table
	SourceVirtualNetworkGateway                    // a prefix learned from a gateway
)

var routeSourceNames = [...]string{"Default", "User", "VirtualNetworkGateway"}

// String returns the contract spelling: Default, User or VirtualNetworkGateway.
func (s RouteSource) String() string {
	if int(s) < len(routeSourceNames) {
		return routeSourceNames[s]
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (s RouteSource) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// rank orders sources for equal prefixes: user > gateway > system (see
// Engine.rank for azure's local routes).
func (s RouteSource) rank() int {
	switch s {
	case SourceUser:
		return 3
	case SourceVirtualNetworkGateway:
		return 2
	}
	return 1
}

// RouteState says whether an effective route is used, as Network Watcher
// shows it (docs/reference/json.md).
type RouteState uint8

const (
	Active  RouteState = iota // the route takes part in longest-prefix match
	Invalid                   // overridden by another route for the same prefix
)

var routeStateNames = [...]string{"Active", "Invalid"}

// String returns the contract spelling: Active or Invalid.
func (s RouteState) String() string {
	if int(s) < len(routeStateNames) {
		return routeStateNames[s]
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (s RouteState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// EffectiveRoute is one route of a subnet's effective route table.
type EffectiveRoute struct {
	AddressPrefix    netip.Prefix
	NextHopType      topology.NextHopType
	NextHopIPAddress netip.Addr // set only for VirtualAppliance
	Source           RouteSource
	State            RouteState
	// Origin is the model object that made the route: an address range,
	// a peering object, a gateway or a user route.
	Origin diag.Path
	// Name is the user route's name, the on-premises site of a gateway
	// route, or "" for other system routes.
	Name string
	// Remote is the peer VNet of a VNetPeering route and the gateway VNet of
	// a VirtualNetworkGateway route learned through transit; "" otherwise.
	Remote string
}

// String formats the route for traces: "10.0.0.0/8 via VirtualAppliance
// 10.0.2.4 (rt-spoke/to-hub-nva)".
func (r EffectiveRoute) String() string {
	s := r.AddressPrefix.String() + " via " + r.NextHopType.String()
	if r.NextHopIPAddress.IsValid() {
		s += " " + r.NextHopIPAddress.String()
	}
	switch {
	case r.Source == SourceUser && len(r.Origin) > 1:
		s += " (" + r.Origin[1] + "/" + r.Name + ")"
	case r.NextHopType == topology.NextHopVNetPeering:
		s += " (peering to " + r.Remote + ")"
	case r.Source == SourceVirtualNetworkGateway:
		s += " (learned from " + r.Name + ")"
	default:
		s += " (system)"
	}
	return s
}

// RouteTable is a subnet's effective route table, as Network Watcher shows
// it: every route, with overridden ones marked Invalid.
type RouteTable struct {
	Subnet string // "VNET/SUBNET"; for a gateway without a GatewaySubnet, "VNET/(gateway)"
	Routes []EffectiveRoute

	active prefixIndex[int] // index into Routes of the Active routes
}

// Lookup returns the Active route with the longest prefix containing a.
func (t *RouteTable) Lookup(a netip.Addr) (EffectiveRoute, bool) {
	if t == nil {
		return EffectiveRoute{}, false
	}
	is, _ := t.active.longest(a)
	if len(is) == 0 {
		return EffectiveRoute{}, false
	}
	return t.Routes[is[0]], true
}

// reservedRanges are the private ranges azure sends to None unless the
// VNet's own address space covers them or the subnet's route table has a
// user route for 0.0.0.0/0 (see hasUserDefaultRoute;
// docs/semantics.md#effective-routes).
var reservedRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
}

// Routes returns the effective routes of subnet VNET/SUBNET.
func (e *Engine) Routes(vnet, subnet string) (*RouteTable, error) {
	v := e.net.VirtualNetworks[vnet]
	if v == nil {
		return nil, fmt.Errorf("routes: no virtual network %q%s", vnet, didYouMean(vnet, sortedKeys(e.net.VirtualNetworks)))
	}
	s := v.Subnets[subnet]
	if s == nil {
		return nil, fmt.Errorf("routes: virtual network %q has no subnet %q%s", vnet, subnet, didYouMean(subnet, sortedKeys(v.Subnets)))
	}
	return e.subnetRoutes(s), nil
}

// subnetRoutes returns s's cached effective routes, computing them once.
func (e *Engine) subnetRoutes(s *topology.Subnet) *RouteTable {
	if t, ok := e.tables.Load(s); ok {
		return t.(*RouteTable)
	}
	t, _ := e.tables.LoadOrStore(s, e.buildRoutes(s.VirtualNetwork, s.RouteTable, e.subnetName(s)))
	return t.(*RouteTable)
}

// gatewayRoutes returns the table a gateway in v routes with: the
// GatewaySubnet's, or v's system routes when v has none.
func (e *Engine) gatewayRoutes(v *topology.VirtualNetwork) *RouteTable {
	if s := v.Subnets["GatewaySubnet"]; s != nil {
		return e.subnetRoutes(s)
	}
	if t, ok := e.gwTables.Load(v.Name); ok {
		return t.(*RouteTable)
	}
	t, _ := e.gwTables.LoadOrStore(v.Name, e.buildRoutes(v, nil, v.Name+"/(gateway)"))
	return t.(*RouteTable)
}

// buildRoutes computes the effective routes of a subnet of v using rt
// (docs/semantics.md#effective-routes).
func (e *Engine) buildRoutes(v *topology.VirtualNetwork, rt *topology.RouteTable, name string) *RouteTable {
	t := &RouteTable{Subnet: name}
	vpath := diag.P("virtualNetworks", v.Name)
	for i, p := range v.AddressSpace {
		t.Routes = append(t.Routes, EffectiveRoute{
			AddressPrefix: p.Masked(), NextHopType: topology.NextHopVnetLocal,
			Source: SourceDefault, Origin: vpath.Child("addressSpace").Index(i),
		})
	}
	for _, p := range e.peeringListOf(v) {
		remote := e.net.VirtualNetworks[p.RemoteVirtualNetwork]
		if remote == nil || !e.connected(v.Name, remote.Name) {
			continue
		}
		for _, rp := range e.peeredRanges(p, remote) {
			t.Routes = append(t.Routes, EffectiveRoute{
				AddressPrefix: rp.Masked(), NextHopType: topology.NextHopVNetPeering,
				Source: SourceDefault, Origin: vpath.Child("peerings", p.Name), Remote: remote.Name,
			})
		}
	}
	if rt == nil || !rt.DisableGatewayRoutePropagation {
		gwv, remote := v, ""
		if v.Gateway == nil {
			if hub := e.transitHubOf(v); hub != nil {
				gwv, remote = hub, hub.Name
			}
		}
		if gwv.Gateway != nil {
			for _, site := range gwv.Gateway.Connections {
				if site == nil {
					continue
				}
				for _, p := range site.AddressSpace {
					t.Routes = append(t.Routes, EffectiveRoute{
						AddressPrefix: p.Masked(), NextHopType: topology.NextHopVirtualNetworkGateway,
						Source: SourceVirtualNetworkGateway, Origin: diag.P("virtualNetworks", gwv.Name, "gateway"),
						Name: site.Name, Remote: remote,
					})
				}
			}
		}
	}
	if e.rules.DefaultInternetRoute {
		t.Routes = append(t.Routes, EffectiveRoute{
			AddressPrefix: netip.MustParsePrefix("0.0.0.0/0"), NextHopType: topology.NextHopInternet,
			Source: SourceDefault, Origin: vpath,
		})
		for _, r := range reservedRanges {
			if topology.SpaceHolds(v.AddressSpace, r) || hasUserDefaultRoute(rt) {
				continue
			}
			t.Routes = append(t.Routes, EffectiveRoute{
				AddressPrefix: r, NextHopType: topology.NextHopNone, Source: SourceDefault, Origin: vpath,
			})
		}
	}
	if rt != nil {
		for i, r := range rt.Routes {
			er := EffectiveRoute{
				AddressPrefix: r.AddressPrefix.Masked(), NextHopType: r.NextHopType,
				Source: SourceUser, Origin: diag.P("routeTables", rt.Name, "routes").Index(i), Name: r.Name,
			}
			if r.NextHopType == topology.NextHopVirtualAppliance {
				er.NextHopIPAddress = r.NextHopIPAddress
			}
			t.Routes = append(t.Routes, er)
		}
	}
	e.settle(t)
	return t
}

// hasUserDefaultRoute reports whether rt has a route for 0.0.0.0/0, of any
// next hop type. On azure such a route removes the None routes of the
// reserved ranges (udr-overview's routing example: "Azure removed the
// routes for the 10.0.0.0/8, 192.168.0.0/16, and 100.64.0.0/10 address
// prefixes from the Subnet1 route table when the user-defined route for
// the 0.0.0.0/0 address prefix was added to Subnet1"); a 0.0.0.0/0 learned
// from a gateway does not.
func hasUserDefaultRoute(rt *topology.RouteTable) bool {
	if rt == nil {
		return false
	}
	for _, r := range rt.Routes {
		if r.AddressPrefix.IsValid() && r.AddressPrefix.Addr().Is4() && r.AddressPrefix.Bits() == 0 {
			return true
		}
	}
	return false
}

// isLocal reports whether r is a VnetLocal or VNetPeering system route.
func (r EffectiveRoute) isLocal() bool {
	return r.Source == SourceDefault && (r.NextHopType == topology.NextHopVnetLocal || r.NextHopType == topology.NextHopVNetPeering)
}

// rank orders r among routes of the same prefix: user > gateway > system,
// except that on azure VnetLocal and VNetPeering system routes beat
// gateway routes ("VnetLocal and VNetPeering system routes win over more
// specific gateway routes", so over equal ones too).
func (e *Engine) rank(r EffectiveRoute) int {
	if e.rules.LocalRoutesBeatGatewayRoutes && r.isLocal() {
		return 2*SourceVirtualNetworkGateway.rank() + 1 // between gateway and user
	}
	return 2 * r.Source.rank()
}

// settle marks overridden routes Invalid, sorts the table and indexes the
// Active routes. On equal prefixes the higher rank wins (user > gateway >
// system; on azure user > VnetLocal and VNetPeering > gateway > other
// system routes), the first written among equals; on azure, a gateway
// route inside an Active VnetLocal or VNetPeering range loses to it
// whatever its length.
func (e *Engine) settle(t *RouteTable) {
	best := make(map[netip.Prefix]int, len(t.Routes))
	for i, r := range t.Routes {
		if !r.AddressPrefix.IsValid() {
			t.Routes[i].State = Invalid
			continue
		}
		j, ok := best[r.AddressPrefix]
		if !ok {
			best[r.AddressPrefix] = i
			continue
		}
		if e.rank(r) > e.rank(t.Routes[j]) {
			t.Routes[j].State = Invalid
			best[r.AddressPrefix] = i
		} else {
			t.Routes[i].State = Invalid
		}
	}
	if e.rules.LocalRoutesBeatGatewayRoutes {
		var local []netip.Prefix
		for _, r := range t.Routes {
			if r.State == Active && r.isLocal() {
				local = append(local, r.AddressPrefix)
			}
		}
		for i, r := range t.Routes {
			if r.State == Active && r.Source == SourceVirtualNetworkGateway && topology.SpaceHolds(local, r.AddressPrefix) {
				t.Routes[i].State = Invalid
			}
		}
	}
	slices.SortStableFunc(t.Routes, compareRoutes)
	for i, r := range t.Routes {
		if r.State == Active {
			t.active.add(r.AddressPrefix, i)
		}
	}
}

// compareRoutes orders routes by prefix (address, then length), then the
// winner first (Active before Invalid, higher source first), then name.
func compareRoutes(a, b EffectiveRoute) int {
	return cmp.Or(
		a.AddressPrefix.Addr().Compare(b.AddressPrefix.Addr()),
		cmp.Compare(a.AddressPrefix.Bits(), b.AddressPrefix.Bits()),
		cmp.Compare(a.State, b.State),
		cmp.Compare(b.Source.rank(), a.Source.rank()),
		cmp.Compare(a.NextHopType, b.NextHopType),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Remote, b.Remote),
	)
}
