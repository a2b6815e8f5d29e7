package importer

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/vnetsim/vnetsim/topology"
)

// exportAzure writes n as Azure resource JSON, the way the REST API lists
// resources ({"value": [...]}, properties nested), for round-trip tests and
// benchmarks. It writes what an export holds: the observed peering state
// and sync level, remoteAddressSpace, NSG rules with singular or plural
// keys. What no export holds is left out: a VM's power state, on-premises
// host names, Network Controller names, ACL default actions (an NSG has
// none).
func exportAzure(n *topology.Network) []byte {
	const sub = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-estate/providers/Microsoft.Network/"
	id := func(typ, name string) string { return sub + typ + "/" + name }
	ref := func(typ, name string) map[string]any { return map[string]any{"id": id(typ, name)} }
	resource := func(typ, name string, props map[string]any) map[string]any {
		return map[string]any{"id": id(typ, name), "name": name, "type": "Microsoft.Network/" + typ, "location": "westeurope", "properties": props}
	}
	var out []any
	for _, rt := range n.SortedRouteTables() {
		var routes []any
		for _, r := range rt.Routes {
			p := map[string]any{"addressPrefix": r.AddressPrefix.String(), "nextHopType": r.NextHopType.String()}
			if r.NextHopIPAddress.IsValid() {
				p["nextHopIpAddress"] = r.NextHopIPAddress.String()
			}
			routes = append(routes, map[string]any{"name": r.Name, "id": id("routeTables", rt.Name+"/routes/"+r.Name), "properties": p})
		}
		out = append(out, resource("routeTables", rt.Name, map[string]any{"disableBgpRoutePropagation": rt.DisableGatewayRoutePropagation, "routes": routes}))
	}
	for _, a := range n.SortedACLs() {
		var rules []any
		for _, r := range a.Rules {
			p := map[string]any{"priority": r.Priority, "direction": r.Type.String(), "access": r.Action.String(), "protocol": exportProtocol(r.Protocol)}
			oneOrMany(p, "sourceAddressPrefix", r.SourceAddressPrefixes)
			oneOrMany(p, "destinationAddressPrefix", r.DestinationAddressPrefixes)
			oneOrMany(p, "sourcePortRange", r.SourcePortRanges)
			oneOrMany(p, "destinationPortRange", r.DestinationPortRanges)
			rules = append(rules, map[string]any{"name": r.Name, "id": id("networkSecurityGroups", a.Name+"/securityRules/"+r.Name), "properties": p})
		}
		out = append(out, resource("networkSecurityGroups", a.Name, map[string]any{"securityRules": rules}))
	}
	for _, o := range n.SortedOnPremises() {
		out = append(out, resource("localNetworkGateways", o.Name, map[string]any{"localNetworkAddressSpace": map[string]any{"addressPrefixes": prefixes(o.AddressSpace)}}))
	}
	for _, v := range n.SortedVirtualNetworks() {
		var subnets, peerings []any
		for _, s := range v.SortedSubnets() {
			p := map[string]any{"addressPrefix": s.AddressPrefix.String()}
			if s.AccessControlList != nil {
				p["networkSecurityGroup"] = ref("networkSecurityGroups", s.AccessControlList.Name)
			}
			if s.RouteTable != nil {
				p["routeTable"] = ref("routeTables", s.RouteTable.Name)
			}
			subnets = append(subnets, map[string]any{"name": s.Name, "id": id("virtualNetworks", v.Name+"/subnets/"+s.Name), "properties": p})
		}
		for _, p := range v.SortedPeerings() {
			props := map[string]any{
				"remoteVirtualNetwork":      ref("virtualNetworks", p.RemoteVirtualNetwork),
				"allowVirtualNetworkAccess": p.AllowVirtualNetworkAccess, "allowForwardedTraffic": p.AllowForwardedTraffic,
				"allowGatewayTransit": p.AllowGatewayTransit, "useRemoteGateways": p.UseRemoteGateways,
				"peeringState": n.PeeringState(v.Name, p).String(), "peeringSyncLevel": n.SyncLevel(v.Name, p).String(),
				"remoteAddressSpace": map[string]any{"addressPrefixes": prefixes(p.SyncedRemote)},
			}
			if r := n.VirtualNetworks[p.RemoteVirtualNetwork]; r != nil {
				props["remoteVirtualNetworkAddressSpace"] = map[string]any{"addressPrefixes": prefixes(r.AddressSpace)}
			}
			peerings = append(peerings, map[string]any{"name": p.Name, "id": id("virtualNetworks", v.Name+"/virtualNetworkPeerings/"+p.Name), "properties": props})
		}
		vr := resource("virtualNetworks", v.Name, map[string]any{"addressSpace": map[string]any{"addressPrefixes": prefixes(v.AddressSpace)},
			"subnets": subnets, "virtualNetworkPeerings": peerings})
		if v.Region == "" {
			delete(vr, "location")
		} else {
			vr["location"] = v.Region
		}
		out = append(out, vr)
		if g := v.Gateway; g != nil {
			out = append(out, resource("virtualNetworkGateways", g.Name, map[string]any{
				"gatewayType": g.Type.String(), "sku": map[string]any{"name": g.SKU, "tier": g.SKU},
				"ipConfigurations": []any{map[string]any{"name": "default", "properties": map[string]any{"subnet": ref("virtualNetworks", v.Name+"/subnets/GatewaySubnet")}}},
			}))
			for _, o := range g.Connections {
				out = append(out, resource("connections", g.Name+"-"+o.Name, map[string]any{"connectionType": "IPsec",
					"virtualNetworkGateway1": ref("virtualNetworkGateways", g.Name), "localNetworkGateway2": ref("localNetworkGateways", o.Name)}))
			}
		}
		pools := map[string][]string{} // VM → the pools it is in
		for _, lb := range v.SortedLoadBalancers() {
			pool := id("loadBalancers", lb.Name+"/backendAddressPools/pool")
			front := id("loadBalancers", lb.Name+"/frontendIPConfigurations/fe")
			var rules []any
			rule := func(name string, proto topology.Protocol, fp, bp uint16) {
				protocol := exportProtocol(proto)
				if protocol == "*" {
					protocol = "All" // a load balancer rule spells every protocol All
				}
				rules = append(rules, map[string]any{"name": name, "properties": map[string]any{"protocol": protocol, "frontendPort": fp, "backendPort": bp,
					"frontendIPConfiguration": map[string]any{"id": front}, "backendAddressPool": map[string]any{"id": pool}}})
			}
			if lb.Rules == nil {
				rule("ha-ports", topology.ProtocolAll, 0, 0)
			}
			for i, r := range lb.Rules {
				rule(fmt.Sprintf("rule%d", i), r.Protocol, r.FrontendPort, r.BackendPort)
			}
			for _, b := range lb.Backends {
				pools[b.Name] = append(pools[b.Name], pool)
			}
			out = append(out, map[string]any{"id": id("loadBalancers", lb.Name), "name": lb.Name, "type": "Microsoft.Network/loadBalancers",
				"sku": map[string]any{"name": lb.SKU.String()}, "properties": map[string]any{
					"frontendIPConfigurations": []any{map[string]any{"id": front, "name": "fe", "properties": map[string]any{
						"privateIPAddress": lb.FrontendIPAddress.String(), "subnet": ref("virtualNetworks", v.Name+"/subnets/"+lb.Subnet.Name)}}},
					"backendAddressPools": []any{map[string]any{"id": pool, "name": "pool"}},
					"loadBalancingRules":  rules}})
		}
		for _, vm := range v.SortedVirtualMachines() {
			nic := vm.Name + "-nic"
			ipc := map[string]any{"privateIPAddress": vm.IPAddress.String(), "primary": true,
				"subnet": ref("virtualNetworks", v.Name+"/subnets/"+vm.Subnet.Name)}
			var member []any
			for _, p := range pools[vm.Name] {
				member = append(member, map[string]any{"id": p})
			}
			if member != nil {
				ipc["loadBalancerBackendAddressPools"] = member
			}
			props := map[string]any{"enableIPForwarding": vm.IPForwarding,
				"virtualMachine":   map[string]any{"id": strings.Replace(sub, "Microsoft.Network", "Microsoft.Compute", 1) + "virtualMachines/" + vm.Name},
				"ipConfigurations": []any{map[string]any{"name": "ipconfig1", "id": id("networkInterfaces", nic+"/ipConfigurations/ipconfig1"), "properties": ipc}}}
			if vm.AccessControlList != nil {
				props["networkSecurityGroup"] = ref("networkSecurityGroups", vm.AccessControlList.Name)
			}
			out = append(out, resource("networkInterfaces", nic, props))
		}
	}
	data, err := json.MarshalIndent(map[string]any{"value": out}, "", "  ")
	if err != nil {
		panic(err) // maps of strings, numbers and booleans always encode
	}
	return data
}

func exportProtocol(p topology.Protocol) string {
	switch p {
	case topology.TCP:
		return "Tcp"
	case topology.UDP:
		return "Udp"
	case topology.ICMP:
		return "Icmp"
	}
	return "*"
}

// oneOrMany writes a rule's list under its singular key for one entry, else
// under the plural key with the singular key absent, as Azure does.
func oneOrMany[T fmt.Stringer](p map[string]any, key string, items []T) {
	if len(items) == 1 {
		p[key] = items[0].String()
		return
	}
	var list []string
	for _, it := range items {
		list = append(list, it.String())
	}
	plural := key + "s"
	if strings.HasSuffix(key, "Prefix") {
		plural = key + "es"
	}
	p[plural] = list
}

func prefixes(ps []netip.Prefix) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}
