package event

import (
	"maps"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// GatewaySpec describes a virtual network gateway. Connections are names of
// on-premises sites.
type GatewaySpec struct {
	Name        string
	Type        topology.GatewayType
	SKU         string // "" when not given
	Connections []string
}

func (g GatewaySpec) fields() []Field {
	out := []Field{{"name", g.Name}, {"type", g.Type.String()}}
	out = appendNonEmpty(out, "sku", g.SKU)
	if len(g.Connections) > 0 {
		out = append(out, Field{"connections", slices.Clone(g.Connections)})
	}
	return out
}

// SetGateway creates or replaces a VNet's gateway.
type SetGateway struct {
	VNet    string
	Gateway GatewaySpec
}

// Kind implements Event.
func (SetGateway) Kind() string { return "setGateway" }

// Fields implements Event.
func (e SetGateway) Fields() []Field {
	return append([]Field{{"vnet", e.VNet}}, e.Gateway.fields()...)
}

func (e SetGateway) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	return t.setGateway(v, e.Gateway)
}

func (t *tx) setGateway(v *topology.VirtualNetwork, g GatewaySpec) *Refusal {
	if g.Name == "" {
		g.Name = v.Name + "-gw" // as the loader names an unnamed gateway
	} else if r := checkName("gateway", g.Name); r != nil {
		return r
	}
	ng := &topology.Gateway{Name: g.Name, Type: g.Type, SKU: g.SKU}
	for _, c := range g.Connections {
		o := t.n.OnPremises[c]
		if o == nil {
			return refusef(diag.UnknownReference, "gateway %q of %q connects to on-premises site %q, which does not exist", g.Name, v.Name, c)
		}
		ng.Connections = append(ng.Connections, o)
	}
	v.Gateway = ng
	t.touchPeers(v.Name)
	return nil
}

// touchPeers marks every VNet peered with name (either direction) touched:
// gateway changes alter their transit checks.
func (t *tx) touchPeers(name string) {
	for _, vn := range slices.Sorted(maps.Keys(t.n.VirtualNetworks)) {
		v := t.n.VirtualNetworks[vn]
		if vn == name {
			for _, p := range v.Peerings {
				if t.n.VirtualNetworks[p.RemoteVirtualNetwork] != nil {
					t.touched[p.RemoteVirtualNetwork] = true
				}
			}
			continue
		}
		if v.PeeringTo(name) != nil {
			t.touched[vn] = true
		}
	}
}

// RemoveGateway removes a VNet's gateway.
type RemoveGateway struct{ VNet string }

// Kind implements Event.
func (RemoveGateway) Kind() string { return "removeGateway" }

// Fields implements Event.
func (e RemoveGateway) Fields() []Field { return []Field{{"vnet", e.VNet}} }

func (e RemoveGateway) apply(t *tx) *Refusal {
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	if v.Gateway == nil {
		return notFoundf("virtual network %q has no gateway", e.VNet)
	}
	// A gateway that spokes use for transit is deleted all the same: their
	// useRemoteGateways objects then fail remote-gateway-missing, which
	// valid reports and the platform checks only when an object is put.
	v.Gateway = nil
	t.skipValidation = true
	return nil
}
