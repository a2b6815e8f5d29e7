package importer

import (
	"strings"

	"github.com/vnetsim/vnetsim/topology"
)

// The Network Controller reader takes resources as its REST API returns
// them (GET /networking/v1/<collection>: {"value": [...]}, or one
// resource) and as Get-NetworkController* | ConvertTo-Json writes them.
// Resources are named by resourceId and referenced by resourceRef; the
// collection is the resourceRef's first segment.

// fabricCollections hold the fabric (hosts, gateway VMs, provider
// networks, credentials): nothing a tenant's peering design depends on, so
// they are skipped without a warning (docs/import.md).
var fabricCollections = map[string]bool{
	"gateways": true, "gatewaypools": true, "logicalnetworks": true, "servers": true, "credentials": true,
	"macpools": true, "loadbalancermuxes": true, "loadbalancermanager": true, "virtualservers": true,
	"publicipaddresses": true, "virtualnetworkmanager": true, "iDNSServer": true, "idnsserver": true,
	"auditingsettings": true, "discovery": true, "diagnostics": true, "operations": true,
}

// ncHandlers read each Network Controller collection.
var ncHandlers = map[string]handler{
	"virtualnetworks":    (*reader).vnet,
	"accesscontrollists": (*reader).nsg,
	"routetables":        (*reader).routeTable,
	"networkinterfaces":  (*reader).nic,
	"loadbalancers":      (*reader).loadBalancer,
	"virtualgateways":    (*reader).virtualGateway,
}

// readWindowsSDN reads every resource of the docs into records.
func readWindowsSDN(b *builder, docs []*doc) *records {
	a := newReader(b, true)
	a.read(docs, ncHandlers, func(_ *node, id string) string { return collection(id) })
	a.poolMembers()
	return &a.recs
}

// collection returns the first segment of a resourceRef, lower-cased.
func collection(ref string) string {
	ref = strings.TrimPrefix(ref, "/")
	if i := strings.IndexByte(ref, '/'); i >= 0 {
		return ref[:i]
	}
	return ref
}

// virtualGateway reads a tenant's virtual gateway: its VNet (the VNet of
// its gatewaySubnets) and one on-premises site per network connection,
// whose address space is the connection's static routes.
func (a *reader) virtualGateway(d *doc, n *node, id string) {
	g := &gatewayRec{res: azureRes(d, n, id), typ: topology.Vpn}
	for _, s := range n.prop("gatewaySubnets").items() {
		if r := subnetVNet(a.ref(d, s)); r.ok() {
			g.vnet = r
			break
		}
	}
	for _, c := range n.prop("networkConnections").items() {
		s := &siteRec{res: azureRes(d, c, a.idOf(c))}
		for _, r := range c.prop("routes").items() {
			s.space = append(s.space, a.prefixes(d, r.get("destinationPrefix"), "network connection "+s.name+" route")...)
		}
		for _, r := range c.prop("ipv4Subnets").items() {
			s.space = append(s.space, a.prefixes(d, r.get("prefix"), "network connection "+s.name+" ipv4Subnets")...)
		}
		a.recs.sites = append(a.recs.sites, s)
		g.sites = append(g.sites, ref{id: s.id, d: d, n: c})
	}
	if bgp := n.prop("bgpRouters"); len(bgp.items()) > 0 {
		a.b.unsupported(d, bgp, "each site's static routes are all the gateway learns",
			"virtual gateway %s uses BGP; routes learned over it are not in the export", g.name)
	}
	a.recs.gateways = append(a.recs.gateways, g)
}
