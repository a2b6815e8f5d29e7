package importer

import (
	"iter"
	"net/netip"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// The Azure reader takes resources as the REST API returns them (one, a
// list, or a {"value": [...]} page), as az prints them (properties
// flattened, resourceGroup added), as Get-Az* | ConvertTo-Json writes them
// (PascalCase, flattened) and as Resource Graph returns them ({"data":
// [...]}, types lower-cased). docs/import.md maps every property.

// Azure resource types the reader knows, lower-cased.
const (
	typeVNet        = "microsoft.network/virtualnetworks"
	typeSubnet      = "microsoft.network/virtualnetworks/subnets"
	typePeering     = "microsoft.network/virtualnetworks/virtualnetworkpeerings"
	typeNSG         = "microsoft.network/networksecuritygroups"
	typeRouteTable  = "microsoft.network/routetables"
	typeGateway     = "microsoft.network/virtualnetworkgateways"
	typeConnection  = "microsoft.network/connections"
	typeLocalGW     = "microsoft.network/localnetworkgateways"
	typeNIC         = "microsoft.network/networkinterfaces"
	typeLB          = "microsoft.network/loadbalancers"
	typeFirewall    = "microsoft.network/azurefirewalls"
	typeASG         = "microsoft.network/applicationsecuritygroups"
	networkProvider = "microsoft.network/"
)

// reader collects the records of one import. The Network Controller's
// resources have the same shapes under a few other names (resourceRef for
// id, accessControlList for networkSecurityGroup, type and action for
// direction and access); nc says which platform is read.
type reader struct {
	b        *builder
	nc       bool
	recs     records
	vnets    map[string]*vnetRec
	subnets  map[string]bool // subnet ids read inside their VNet
	peerings map[string]bool
	nsgs     map[string]*aclRec
	sites    map[string]*siteRec
	gateways map[string]*gatewayRec
	skipped  map[string]bool  // resource kinds reported as not read
	seen     map[string]*node // resources read, by lower-cased id
	children []child          // subnets, peerings and connections, read last
	members  []member         // backend pool memberships the NICs name
}

// member is a NIC IP configuration in a load balancer's backend pool.
type member struct {
	pool   string
	config ref
}

type child struct {
	d  *doc
	n  *node
	id string
}

// handler reads one resource.
type handler func(a *reader, d *doc, n *node, id string)

// azureHandlers read each Azure resource type. Subnets, peerings and
// connections exported on their own wait until every VNet and gateway has
// been read.
var azureHandlers = map[string]handler{
	typeVNet:       (*reader).vnet,
	typeSubnet:     (*reader).later,
	typePeering:    (*reader).later,
	typeNSG:        (*reader).nsg,
	typeRouteTable: (*reader).routeTable,
	typeGateway:    (*reader).gateway,
	typeConnection: (*reader).later,
	typeLocalGW:    func(a *reader, d *doc, n *node, id string) { a.site(d, n, id) },
	typeNIC:        (*reader).nic,
	typeLB:         (*reader).loadBalancer,
	typeFirewall:   (*reader).firewall,
	typeASG:        func(*reader, *doc, *node, string) {}, // members are read from the NICs that name the group
}

// readAzure reads every resource of the docs into records.
func readAzure(b *builder, docs []*doc) *records {
	a := newReader(b, false)
	a.read(docs, azureHandlers, azureType)
	for _, c := range a.children {
		if azureType(c.n, c.id) == typeConnection {
			a.connection(c.d, c.n, c.id)
		} else {
			a.child(c)
		}
	}
	a.poolMembers()
	return &a.recs
}

// read runs the handler of each resource of docs; kind names a resource's
// type or collection, the handlers' key. A resource no handler reads is
// skipped (skip).
func (a *reader) read(docs []*doc, handlers map[string]handler, kind func(n *node, id string) string) {
	for _, d := range docs {
		for _, n := range resources(d.root) {
			id := a.idOf(n)
			if a.again(d, n, id) {
				continue
			}
			k := kind(n, id)
			if h := handlers[k]; h != nil {
				h(a, d, n, id)
			} else {
				a.skip(d, n, k)
			}
		}
	}
}

// again reports whether the resource at n, of id, was read before:
// overlapping exports (a Resource Graph dump beside az lists, overlapping
// pages) give one resource twice, and ids match without regard to case. The
// first copy is read. A copy whose etag differs from the first's changed
// between the exports, and is reported: the model holds the first.
func (a *reader) again(d *doc, n *node, id string) bool {
	if id == "" {
		return false
	}
	first := a.seen[id]
	if first == nil {
		a.seen[id] = n
		return false
	}
	if e1, e2 := first.get("etag"), n.get("etag"); e1.text() != "" && e2.text() != "" && e1.text() != e2.text() {
		a.b.incomplete(d, e2, "the resource changed between the exports; the model holds the copy read first",
			"%s is exported twice with different etags", idNode(n).str)
	}
	return true
}

// later keeps a resource that belongs to another (a subnet or peering of a
// VNet, a connection of a gateway) until every resource has been read.
func (a *reader) later(d *doc, n *node, id string) { a.children = append(a.children, child{d, n, id}) }

func newReader(b *builder, nc bool) *reader {
	return &reader{b: b, nc: nc, vnets: map[string]*vnetRec{}, subnets: map[string]bool{}, peerings: map[string]bool{},
		nsgs: map[string]*aclRec{}, sites: map[string]*siteRec{}, gateways: map[string]*gatewayRec{}, skipped: map[string]bool{}, seen: map[string]*node{}}
}

// resources returns the resource objects of an export: the root itself, the
// items of a list or of a {"value": [...]} or {"data": [...]} page, nested
// to any depth (jq -s over several exports gives a list of lists), and the
// first 2xx response body of an Azure REST API specification example.
func resources(n *node) []*node {
	switch {
	case n == nil:
		return nil
	case n.kind == jArray:
		var out []*node
		for _, it := range n.kids {
			out = append(out, resources(it)...)
		}
		return out
	case n.kind != jObject:
		return nil
	case n.get("responses") != nil && n.get("parameters") != nil:
		rs := n.get("responses")
		for i, code := range rs.keys {
			if strings.HasPrefix(code, "2") && !rs.kids[i].shadowed && rs.kids[i].get("body") != nil {
				return resources(rs.kids[i].get("body"))
			}
		}
		return nil
	case n.get("id") == nil && n.get("resourceRef") == nil:
		for _, key := range []string{"value", "data"} {
			if v := n.get(key); v != nil && v.kind == jArray {
				return resources(v)
			}
		}
	}
	return []*node{n}
}

// azureType returns a resource's lower-cased type: its "type", else the
// type its id spells (Get-Az* objects and REST examples may lack "type").
func azureType(n *node, id string) string {
	if t := strings.ToLower(n.get("type").text()); strings.Contains(t, "/") {
		return t
	}
	i := strings.LastIndex(id, "/providers/")
	if i < 0 {
		return ""
	}
	segs := strings.Split(id[i+len("/providers/"):], "/")
	if len(segs) < 3 {
		return ""
	}
	t := segs[0]
	for j := 1; j < len(segs); j += 2 {
		t += "/" + segs[j]
	}
	return t
}

// resourceGroupOf and subscriptionOf read an Azure id's segments.
func resourceGroupOf(id string) string { return segmentAfter(id, "resourcegroups") }
func subscriptionOf(id string) string  { return segmentAfter(id, "subscriptions") }

func segmentAfter(id, key string) string {
	for rest := id; rest != ""; {
		seg, after, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
		if strings.EqualFold(seg, key) {
			next, _, _ := strings.Cut(after, "/")
			return next
		}
		rest = after
	}
	return ""
}

// parentID returns the id of the resource holding a child resource.
func parentID(id string) string {
	i := strings.LastIndexByte(id, '/')
	if i < 0 {
		return ""
	}
	j := strings.LastIndexByte(id[:i], '/')
	if j < 0 {
		return ""
	}
	return id[:j]
}

// azureRes reads what every resource has.
func azureRes(d *doc, n *node, id string) res {
	return res{d: d, n: n, id: id, name: childName(n), group: resourceGroupOf(id), sub: subscriptionOf(id)}
}

// idNode returns the node of a reference or resource id at n: {"id": ...}
// on Azure, {"resourceRef": ...} on the Network Controller; nil when none.
func idNode(n *node) *node {
	for _, key := range []string{"id", "resourceRef"} {
		if v := n.get(key); v != nil && v.text() != "" {
			return v
		}
	}
	return nil
}

// ref reads a reference at n. Ids match without regard to case (Azure's
// are case-insensitive; az and Resource Graph differ in how they case
// resource groups), so the reference keeps the id lower-cased.
func (a *reader) ref(d *doc, n *node) ref {
	if v := idNode(n); v != nil {
		return ref{id: a.fold(v.str), d: d, n: v}
	}
	return ref{}
}

// idOf returns the lower-cased id of the resource at n.
func (a *reader) idOf(n *node) string { return a.ref(nil, n).id }

// fold lower-cases an id. (Remembering answers costs more than it saves:
// most ids of an export appear once or twice.)
func (a *reader) fold(s string) string { return strings.ToLower(s) }

// skip reports, once per kind, a resource that is not read. Azure's other
// providers (compute, storage) and the Network Controller's fabric hold
// nothing the network needs, and are skipped silently.
func (a *reader) skip(d *doc, n *node, kind string) {
	if a.skipped[kind] || a.nc && fabricCollections[kind] || !a.nc && !strings.HasPrefix(kind, networkProvider) {
		return
	}
	a.skipped[kind] = true
	what := "resource type " + n.get("type").text()
	if a.nc {
		what = "collection " + kind
	}
	a.b.unsupported(d, orNode(idNode(n), n), "resources of this kind are skipped", "%s is not modelled", what)
}

// region normalises an Azure location: "West Europe" and "westeurope" are
// one region.
func region(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }

func (a *reader) vnet(d *doc, n *node, id string) {
	v := &vnetRec{res: azureRes(d, n, id), region: region(n.get("location").text())}
	v.space = a.prefixes(d, n.at("addressSpace", "addressPrefixes"), "virtual network "+v.name+" addressSpace")
	if len(n.at("addressSpace", "addressPrefixes").items()) == 0 { // an unreadable prefix is reported as such
		a.b.errorf(diag.MissingField, d, n, "virtual network %s has no address space", v.name)
	}
	for _, s := range n.prop("subnets").items() {
		a.subnet(v, d, s, a.idOf(s))
	}
	for _, p := range n.prop("virtualNetworkPeerings").items() {
		a.peering(v, d, p, a.idOf(p))
	}
	a.vnets[id] = v
	a.recs.vnets = append(a.recs.vnets, v)
}

// child attaches a subnet or peering exported on its own to its VNet.
func (a *reader) child(c child) {
	peering := azureType(c.n, c.id) == typePeering
	if c.id == "" {
		what := "subnet"
		if peering {
			what = "peering"
		}
		a.b.errorf(diag.MissingField, c.d, c.n, "%s %s has no id, which names its virtual network", what, childName(c.n))
		return
	}
	v := a.vnets[parentID(c.id)]
	if v == nil {
		a.b.incomplete(c.d, c.n, "it is skipped; export its virtual network too", "%s belongs to virtual network %s, which is not in the export",
			childName(c.n), lastSegment(parentID(idNode(c.n).text())))
		return
	}
	if peering {
		a.peering(v, c.d, c.n, c.id)
	} else {
		a.subnet(v, c.d, c.n, c.id)
	}
}

func (a *reader) subnet(v *vnetRec, d *doc, n *node, id string) {
	if a.subnets[id] && id != "" {
		return // exported in its VNet and on its own
	}
	a.subnets[id] = true
	s := &subnetRec{res: azureRes(d, n, id)}
	s.modelled = safeName(s.name)
	what := "subnet " + s.name
	prefixes := a.prefixes(d, n.prop("addressPrefix"), what+" addressPrefix")
	prefixes = append(prefixes, a.prefixes(d, n.prop("addressPrefixes"), what+" addressPrefixes")...)
	if len(prefixes) == 0 {
		if len(n.prop("addressPrefix").items())+len(n.prop("addressPrefixes").items()) == 0 { // else reported as unreadable
			a.b.errorf(diag.MissingField, d, n, "%s of %s has no address prefix", what, v.name)
		}
		return
	}
	if len(prefixes) > 1 {
		a.b.unsupported(d, prefixes[1].n, "the subnet keeps its first prefix, "+prefixes[0].p.String(), "%s has %d address prefixes; the model gives a subnet one", what, len(prefixes))
	}
	s.prefix = prefixes[0]
	s.acl = a.ref(d, orNode(n.prop("networkSecurityGroup"), n.prop("accessControlList")))
	s.rt = a.ref(d, n.prop("routeTable"))
	if se := n.prop("serviceEndpoints"); len(se.items()) > 0 {
		a.b.unsupported(d, se, "traffic to Azure services follows the subnet's other routes, as without endpoints",
			"%s has service endpoints, which the model does not hold", what)
	}
	v.subnets = append(v.subnets, s)
}

func (a *reader) peering(v *vnetRec, d *doc, n *node, id string) {
	if a.peerings[id] && id != "" {
		return
	}
	a.peerings[id] = true
	p := &peeringRec{res: azureRes(d, n, id), owner: v, remote: a.ref(d, n.prop("remoteVirtualNetwork"))}
	for _, f := range topology.PeeringFlags() {
		p.flags[f] = n.prop(f.Key())
	}
	p.state, p.syncLevel = n.prop("peeringState"), n.prop("peeringSyncLevel")
	what := "peering " + p.name
	// Get-AzVirtualNetworkPeering calls remoteAddressSpace PeeredRemoteAddressSpace.
	if sp := orNode(n.at("remoteAddressSpace", "addressPrefixes"), n.at("peeredRemoteAddressSpace", "addressPrefixes")); !sp.isNull() {
		p.syncedAt = sp
		for _, x := range a.prefixes(d, sp, what+" remoteAddressSpace") {
			p.synced = append(p.synced, x.p)
		}
	}
	for _, x := range a.prefixes(d, n.at("remoteVirtualNetworkAddressSpace", "addressPrefixes"), what+" remoteVirtualNetworkAddressSpace") {
		p.remoteSpace = append(p.remoteSpace, x.p)
	}
	if complete, ok := n.prop("peerCompleteVnets").boolean(); ok && !complete {
		a.b.unsupported(d, n.prop("peerCompleteVnets"), "the model peers the whole VNets; routes go to the remote ranges the peering reports",
			"%s peers chosen subnets only, which the model does not hold", what)
	}
	if !p.remote.ok() {
		a.b.errorf(diag.MissingField, d, n, "%s of %s has no remoteVirtualNetwork", what, v.name)
		return
	}
	v.peerings = append(v.peerings, p)
}

// prefixes reads a list of prefixes (or one) at n. An address without a
// length is a host prefix, as Azure reads it.
func (a *reader) prefixes(d *doc, n *node, what string) []prefixAt {
	var out []prefixAt
	for _, it := range n.items() {
		if p, ok := a.prefix(d, it, what); ok {
			out = append(out, prefixAt{p, it})
		}
	}
	return out
}

func (a *reader) prefix(d *doc, n *node, what string) (netip.Prefix, bool) {
	p, ok := parsePrefix(n.text())
	if !ok {
		a.b.errorf(diag.InvalidPrefix, d, n, "%s: %s is not an IP prefix", what, describe(n))
		return netip.Prefix{}, false
	}
	if m := p.Masked(); m != p {
		a.b.report(diag.Warning, diag.NonCanonicalPrefix, d, n, "write "+m.String(), "%s: %s has host bits set; read as %s", what, p, m)
		p = m
	}
	return p, true
}

// parsePrefix reads a prefix, or an address as its host prefix.
func parsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, true
	}
	if ad, err := netip.ParseAddr(s); err == nil && ad.Zone() == "" {
		ad = ad.Unmap()
		return netip.PrefixFrom(ad, ad.BitLen()), true
	}
	return netip.Prefix{}, false
}

func (a *reader) nsg(d *doc, n *node, id string) {
	acl := &aclRec{res: azureRes(d, n, id)}
	for _, r := range slices.Concat(n.prop("securityRules").items(), n.prop("aclRules").items()) {
		if rule, ok := a.rule(acl, d, r); ok {
			acl.rules = append(acl.rules, rule)
		}
	}
	// defaultSecurityRules are the platform's own; the simulator appends
	// them to every NSG on azure.
	a.nsgs[id] = acl
	a.recs.acls = append(a.recs.acls, acl)
}

// rule reads one security rule: its prefixes and port ranges may come as
// the singular key, the plural key (a list) or both (Get-Az* writes lists
// under the singular keys).
func (a *reader) rule(acl *aclRec, d *doc, n *node) (ruleRec, bool) {
	r := ruleRec{d: d, n: n, priority: n.prop("priority")}
	name := childName(n)
	what := "rule " + name + " of " + acl.name
	r.rule.Name = safeName(name)
	prio, ok := r.priority.integer()
	if !ok {
		a.b.errorf(diag.InvalidValue, d, orNode(r.priority, n), "%s: priority %s is not an integer", what, describe(r.priority))
		return r, false
	}
	r.rule.Priority = prio
	dir, act := n.prop("direction"), n.prop("access")
	if a.nc {
		dir, act = n.prop("type"), n.prop("action")
	}
	var okDir, okAct bool
	r.rule.Type, okDir = parseFold(dir.text(), topology.ParseDirection)
	r.rule.Action, okAct = parseFold(act.text(), topology.ParseAction)
	if !okDir || !okAct {
		a.b.errorf(diag.InvalidValue, d, n, "%s: direction %s or action %s is not valid", what, describe(dir), describe(act))
		return r, false
	}
	proto := n.prop("protocol")
	switch p := strings.ToLower(proto.text()); p {
	case "*", "", "all":
		r.rule.Protocol = topology.ProtocolAll
	case "tcp", "udp", "icmp":
		r.rule.Protocol, _ = parseFold(p, topology.ParseProtocol)
	default:
		a.b.unsupported(d, proto, "the rule is dropped: it matches none of the TCP, UDP and ICMP packets the model simulates",
			"%s: protocol %s is not modelled", what, describe(proto))
		return r, false
	}
	var okSrc, okDst bool
	r.rule.SourceAddressPrefixes, okSrc = a.addresses(d, what, n.prop("sourceAddressPrefix"), n.prop("sourceAddressPrefixes"))
	r.rule.DestinationAddressPrefixes, okDst = a.addresses(d, what, n.prop("destinationAddressPrefix"), n.prop("destinationAddressPrefixes"))
	r.rule.SourcePortRanges = a.ports(d, what, n.prop("sourcePortRange"), n.prop("sourcePortRanges"))
	r.rule.DestinationPortRanges = a.ports(d, what, n.prop("destinationPortRange"), n.prop("destinationPortRanges"))
	r.srcGroups = a.groupRefs(d, n.prop("sourceApplicationSecurityGroups"))
	r.dstGroups = a.groupRefs(d, n.prop("destinationApplicationSecurityGroups"))
	if !okSrc || !okDst || r.rule.SourcePortRanges == nil || r.rule.DestinationPortRanges == nil {
		return r, false
	}
	return r, true
}

// childName returns the name of a resource's child (a rule, a route):
// its "name", else the last segment of its id or resourceRef, else its
// resourceId.
func childName(n *node) string {
	if v := idNode(n); v != nil {
		return lastSegment(v.str) // the id names what references use; a REST example's name may differ
	}
	if s := n.get("name").text(); s != "" {
		return s
	}
	return n.get("resourceId").text()
}

func orNode(n, def *node) *node {
	if n == nil {
		return def
	}
	return n
}

// parseFold parses s with parse after matching its case to the
// vocabulary's: Azure writes "Tcp" where the model writes "TCP".
func parseFold[T any](s string, parse func(string) (T, error)) (T, bool) {
	s = strings.TrimSpace(s)
	for _, c := range []string{s, strings.ToUpper(s), strings.ToUpper(s[:min(1, len(s))]) + strings.ToLower(s[min(1, len(s)):])} {
		if v, err := parse(c); err == nil {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func (a *reader) groupRefs(d *doc, n *node) []ref {
	var out []ref
	for _, it := range n.items() {
		if r := a.ref(d, it); r.ok() {
			out = append(out, r)
		}
	}
	return out
}

// addresses reads a rule's address entries. Azure's other service tags
// name public Azure ranges, which no private address of the estate falls
// in, so an entry naming one is dropped; a rule left without entries (and
// without application security groups) is dropped by the builder. An entry
// that is neither a prefix nor a tag is an error, and ok is false: the
// rule is skipped.
func (a *reader) addresses(d *doc, what string, lists ...*node) (out []topology.AddressMatch, ok bool) {
	ok = true
	for _, l := range lists {
		for it, s := range a.entries(l) {
			switch {
			case s == "*" || strings.EqualFold(s, "any"):
				out = append(out, topology.AnyAddress)
				continue
			case s == "":
				continue
			}
			if t, ok := parseFold(s, topology.ParseServiceTag); ok && t != topology.NoTag {
				out = append(out, topology.AddressMatch{Tag: t})
				continue
			}
			if p, ok := parsePrefix(s); ok {
				out = append(out, topology.AddressMatch{Prefix: p.Masked()})
				continue
			}
			if !serviceTagShaped(s) {
				a.b.errorf(diag.InvalidPrefix, d, it, "%s: %q is neither an IP prefix nor a service tag", what, s)
				ok = false
				continue
			}
			a.b.unsupported(d, it, "the entry is dropped: it names public Azure ranges, which no private address falls in",
				"%s names service tag %s; the model holds VirtualNetwork, Internet and AzureLoadBalancer", what, s)
		}
	}
	return out, ok
}

// serviceTagShaped reports whether s has the shape of a service tag: a
// word, with a region after a dot (Storage, AzureCloud.westeurope,
// ApiManagement.AustraliaCentral2). A prefix, an address or a range does
// not: it starts with a digit or holds ':' or '/', so a malformed one is
// an error rather than a tag the importer drops.
func serviceTagShaped(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'):
		default:
			return false
		}
	}
	return s != ""
}

// entries yields the entries of a rule's address or port field with the
// node each came from: the items of a list, or one value. A Network
// Controller value may hold several entries separated by commas.
func (a *reader) entries(l *node) iter.Seq2[*node, string] {
	return func(yield func(*node, string) bool) {
		for _, it := range l.items() {
			parts := []string{it.str}
			if a.nc {
				parts = strings.Split(it.str, ",")
			}
			for _, p := range parts {
				if !yield(it, strings.TrimSpace(p)) {
					return
				}
			}
		}
	}
}

// ports reads a rule's port ranges; none at all is "*". A bad range is
// an error and the rule is skipped (nil).
func (a *reader) ports(d *doc, what string, lists ...*node) []topology.PortRange {
	out := []topology.PortRange{}
	for _, l := range lists {
		for it, s := range a.entries(l) {
			if s == "" {
				continue
			}
			r, err := topology.ParsePortRange(s)
			if err != nil {
				a.b.errorf(diag.InvalidValue, d, it, "%s: %v", what, err)
				return nil
			}
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		out = append(out, topology.AnyPort)
	}
	return out
}

func (a *reader) routeTable(d *doc, n *node, id string) {
	t := &routeTableRec{res: azureRes(d, n, id)}
	t.disable, _ = n.prop("disableBgpRoutePropagation").boolean()
	for _, r := range n.prop("routes").items() {
		name := childName(r)
		what := "route " + name + " of " + t.name
		rt := topology.Route{Name: safeName(name)}
		ap := r.prop("addressPrefix")
		p, ok := parsePrefix(ap.text())
		switch {
		case ok:
		case ap.isNull() || ap.text() == "":
			a.b.errorf(diag.MissingField, d, orNode(ap, r), "%s has no addressPrefix", what)
			continue
		case serviceTagShaped(ap.text()):
			a.b.unsupported(d, ap, "the route is dropped: a service tag names public Azure ranges, which no private address falls in",
				"%s: address prefix %s is a service tag; the model holds IP prefixes", what, describe(ap))
			continue
		default:
			a.b.errorf(diag.InvalidPrefix, d, ap, "%s: address prefix %s is not an IP prefix", what, describe(ap))
			continue
		}
		rt.AddressPrefix = p.Masked()
		hop := r.prop("nextHopType")
		if rt.NextHopType, ok = parseFold(hop.text(), topology.ParseNextHopType); !ok {
			a.b.errorf(diag.InvalidValue, d, orNode(hop, r), "%s: next hop type %s is not valid", what, describe(hop))
			continue
		}
		if ip := r.prop("nextHopIpAddress"); ip.text() != "" {
			ad, err := netip.ParseAddr(strings.TrimSpace(ip.text()))
			if err != nil {
				a.b.errorf(diag.InvalidAddress, d, ip, "%s: next hop %s is not an IP address", what, describe(ip))
				continue
			}
			rt.NextHopIPAddress = ad.Unmap()
		}
		t.routes = append(t.routes, routeRec{n: r, route: rt})
	}
	a.recs.tables = append(a.recs.tables, t)
}

// Closed vocabularies of the exports, lower-cased, and what the model
// calls each value.
var (
	gatewayTypes = map[string]topology.GatewayType{"vpn": topology.Vpn, "expressroute": topology.ExpressRoute}
	lbSKUs       = map[string]topology.LoadBalancerSKU{"standard": topology.Standard, "basic": topology.Basic}
)

// pick reads the value at n in choices, without regard to case; absent, it
// is def. A value outside choices is reported with choice (what is done
// instead) and read as def.
func pick[T any](a *reader, d *doc, n *node, def T, choices map[string]T, choice, format string, args ...any) T {
	if n.text() == "" {
		return def
	}
	if v, ok := choices[strings.ToLower(n.text())]; ok {
		return v
	}
	a.b.unsupported(d, n, choice, format, args...)
	return def
}

// subnetVNet returns the reference to the VNet holding the subnet r names.
func subnetVNet(r ref) ref {
	if i := strings.Index(r.id, "/subnets/"); i >= 0 {
		r.id = r.id[:i]
		return r
	}
	return ref{}
}

func (a *reader) gateway(d *doc, n *node, id string) {
	g := &gatewayRec{res: azureRes(d, n, id), sku: n.at("sku", "name").text()}
	t := n.prop("gatewayType")
	g.typ = pick(a, d, t, topology.Vpn, gatewayTypes, "it is read as a VPN gateway", "gateway %s: type %s is not modelled", g.name, describe(t))
	for _, c := range n.prop("ipConfigurations").items() {
		if r := subnetVNet(a.ref(d, c.prop("subnet"))); r.ok() {
			g.vnet = r
			break
		}
	}
	a.gateways[id] = g
	a.recs.gateways = append(a.recs.gateways, g)
}

func (a *reader) site(d *doc, n *node, id string) *siteRec {
	if s := a.sites[id]; s != nil {
		return s
	}
	s := &siteRec{res: azureRes(d, n, id)}
	s.space = a.prefixes(d, n.at("localNetworkAddressSpace", "addressPrefixes"), "local network gateway "+s.name+" addressSpace")
	a.sites[id] = s
	a.recs.sites = append(a.recs.sites, s)
	return s
}

// connection attaches a site to its gateway. An IPsec connection names its
// local network gateway (embedded whole in a REST GET); ExpressRoute
// learns its ranges over BGP and VNet-to-VNet joins two gateways, neither
// of which the model holds.
func (a *reader) connection(d *doc, n *node, id string) {
	name := childName(n)
	gwRef := a.ref(d, n.prop("virtualNetworkGateway1"))
	g := a.gateways[gwRef.id]
	typ := n.prop("connectionType")
	switch strings.ToLower(typ.text()) {
	case "expressroute":
		a.b.unsupported(d, typ, "no site is modelled: traffic to on-premises follows the other routes",
			"connection %s is ExpressRoute; its on-premises ranges are learned over BGP and are not in the export", name)
		return
	case "vnet2vnet":
		a.b.unsupported(d, typ, "the connection is dropped: traffic between the two VNets through their gateways is not simulated",
			"connection %s joins two virtual network gateways, which the model does not hold", name)
		return
	}
	if g == nil {
		a.b.incomplete(d, orNode(gwRef.n, n), "the connection is skipped", "connection %s names gateway %s, which is not in the export", name, lastSegment(gwRef.n.text()))
		return
	}
	lng := n.prop("localNetworkGateway2")
	site := a.ref(d, lng)
	if !site.ok() {
		a.b.errorf(diag.MissingField, d, n, "connection %s has no localNetworkGateway2", name)
		return
	}
	if a.sites[site.id] == nil && lng.prop("localNetworkAddressSpace") != nil {
		a.site(d, lng, site.id) // embedded in the connection
	}
	if bgp, _ := n.prop("enableBgp").boolean(); bgp {
		a.b.unsupported(d, n.prop("enableBgp"), "the site's address space is all the gateway learns",
			"connection %s uses BGP; routes learned over it are not in the export", name)
	}
	g.sites = append(g.sites, site)
}

func (a *reader) nic(d *doc, n *node, id string) {
	c := &nicRec{res: azureRes(d, n, id), vm: lastSegment(n.at("virtualMachine", "id").text())}
	c.primary, _ = n.prop("primary").boolean()
	c.forwarding, _ = n.prop("enableIPForwarding").boolean()
	c.acl = a.ref(d, n.prop("networkSecurityGroup"))
	configs := n.prop("ipConfigurations").items()
	main := slices.IndexFunc(configs, func(ipc *node) bool { p, _ := ipc.prop("primary").boolean(); return p })
	for i, ipc := range configs {
		// An IP configuration without an id (Get-Az*, hand-made exports)
		// is known by its NIC's id and its name, as Azure would name it;
		// one with neither is in no pool.
		self := a.idOf(ipc)
		if name := ipc.get("name").text(); self == "" && name != "" && id != "" {
			self = id + "/ipconfigurations/" + a.fold(name)
		}
		if self != "" {
			c.configs = append(c.configs, self)
		}
		for _, g := range ipc.prop("applicationSecurityGroups").items() {
			c.groups = append(c.groups, a.idOf(g))
		}
		for _, p := range ipc.prop("loadBalancerBackendAddressPools").items() {
			if self != "" {
				a.members = append(a.members, member{pool: a.idOf(p), config: ref{id: self, d: d, n: p}})
			}
		}
		if pip := ipc.prop("publicIPAddress"); !pip.isNull() {
			a.b.unsupported(d, pip, "it is ignored: traffic from the Internet is not simulated", "NIC %s has a public IP address", c.name)
		}
		if i == max(main, 0) {
			a.address(c, d, ipc)
			if a.nc && collection(c.subnet.id) == "logicalnetworks" {
				return // an infrastructure NIC on a provider network, not a tenant's VM
			}
			if acl := a.ref(d, ipc.prop("accessControlList")); acl.ok() {
				c.acl = acl // the Network Controller filters per IP configuration
			}
		} else {
			a.b.unsupported(d, ipc, "the NIC keeps its primary IP configuration", "NIC %s has %d IP configurations; the model gives a VM one address", c.name, len(configs))
		}
	}
	a.recs.nics = append(a.recs.nics, c)
}

// address reads an IP configuration's private address and subnet.
func (a *reader) address(c *nicRec, d *doc, ipc *node) {
	ip := ipc.prop("privateIPAddress")
	if ip.text() == "" {
		return
	}
	ad, err := netip.ParseAddr(strings.TrimSpace(ip.text()))
	if err != nil {
		a.b.errorf(diag.InvalidAddress, d, ip, "%s: %s is not an IP address", c.name, describe(ip))
		return
	}
	c.ip, c.ipAt, c.subnet = ad.Unmap(), ip, a.ref(d, ipc.prop("subnet"))
}

// firewall reads an Azure Firewall as an appliance: a VM in
// AzureFirewallSubnet at the firewall's private address, with IP
// forwarding. It forwards every packet; its rules are not evaluated.
func (a *reader) firewall(d *doc, n *node, id string) {
	c := &nicRec{res: azureRes(d, n, id), forwarding: true, firewall: true, primary: true}
	for _, ipc := range n.prop("ipConfigurations").items() {
		if !c.ip.IsValid() {
			a.address(c, d, ipc)
		}
	}
	if !c.ip.IsValid() {
		a.b.unsupported(d, n, "the firewall is skipped", "firewall %s has no private IP address in a virtual network (a Virtual WAN hub firewall is not modelled)", c.name)
		return
	}
	a.b.unsupported(d, orNode(n.get("name"), n), "it is modelled as an appliance with IP forwarding at "+c.ip.String()+" that forwards every packet",
		"Azure Firewall %s: its rules and policy are not evaluated", c.name)
	a.recs.nics = append(a.recs.nics, c)
}

func (a *reader) loadBalancer(d *doc, n *node, id string) {
	lb := &lbRec{res: azureRes(d, n, id), pools: map[string][]ref{}}
	sku := n.at("sku", "name")
	lb.sku = pick(a, d, sku, topology.Standard, lbSKUs, "it is read as Standard", "load balancer %s: SKU %s is not modelled", lb.name, describe(sku))
	for _, f := range n.prop("frontendIPConfigurations").items() {
		fid := a.idOf(f)
		if pip := f.prop("publicIPAddress"); !pip.isNull() {
			a.b.unsupported(d, pip, "the frontend is skipped: traffic from the Internet is not simulated", "frontend %s of load balancer %s is public", childName(f), lb.name)
			continue
		}
		fr := &frontendRec{res: azureRes(d, f, fid)}
		c := &nicRec{}
		a.address(c, d, f)
		if !c.ip.IsValid() {
			a.b.incomplete(d, f, "the frontend is skipped", "frontend %s of load balancer %s has no private IP address", fr.name, lb.name)
			continue
		}
		if collection(c.subnet.id) == "logicalnetworks" {
			a.b.unsupported(d, f, "the frontend is skipped", "frontend %s of load balancer %s is on a logical network, not in a virtual network", fr.name, lb.name)
			continue
		}
		fr.ip, fr.ipAt, fr.subnet = c.ip, c.ipAt, c.subnet
		lb.frontends = append(lb.frontends, fr)
	}
	for _, p := range n.prop("backendAddressPools").items() {
		pid := a.idOf(p)
		lb.pools[pid] = nil
		for _, c := range p.prop("backendIPConfigurations").items() {
			lb.pools[pid] = append(lb.pools[pid], a.ref(d, c))
		}
	}
	for _, r := range n.prop("loadBalancingRules").items() {
		rule := lbRuleRec{n: r, pool: a.ref(d, r.prop("backendAddressPool")).id}
		if f := r.prop("frontendIPConfiguration"); f != nil {
			rule.frontend = a.ref(d, f).id
		} else if fs := r.prop("frontendIPConfigurations").items(); len(fs) > 0 { // the Network Controller's list
			rule.frontend = a.ref(d, fs[0]).id
		}
		front, _ := r.prop("frontendPort").integer()
		back, okBack := r.prop("backendPort").integer()
		proto := strings.ToLower(r.prop("protocol").text())
		if proto == "all" && front == 0 {
			rule.allPorts = true
		} else {
			p, ok := parseFold(proto, topology.ParseProtocol)
			if !ok || front < 0 || front > 65535 {
				a.b.errorf(diag.InvalidValue, d, r, "load balancer %s: rule %s is not a protocol and port", lb.name, childName(r))
				continue
			}
			if !okBack {
				back = front
			}
			rule.rule = topology.LoadBalancerRule{Protocol: p, FrontendPort: uint16(front), BackendPort: uint16(back)}
		}
		lb.rules = append(lb.rules, rule)
	}
	if nat := n.prop("inboundNatRules"); len(nat.items()) > 0 {
		a.b.unsupported(d, nat, "they are ignored", "load balancer %s has inbound NAT rules, which the model does not hold", lb.name)
	}
	if nat := n.prop("outboundNatRules"); len(nat.items()) > 0 {
		a.b.unsupported(d, nat, "they are ignored: traffic to the Internet leaves as without them", "load balancer %s has outbound NAT rules, which the model does not hold", lb.name)
	}
	a.recs.lbs = append(a.recs.lbs, lb)
}

// poolMembers adds to each load balancer's pools the NIC IP
// configurations that name the pool themselves: az network nic list holds
// the membership even where the load balancer's export does not.
func (a *reader) poolMembers() {
	byPool := map[string]*lbRec{}
	for _, lb := range a.recs.lbs {
		for pool := range lb.pools {
			byPool[pool] = lb
		}
	}
	for _, m := range a.members {
		if lb := byPool[m.pool]; lb != nil && !slices.ContainsFunc(lb.pools[m.pool], func(r ref) bool { return r.id == m.config.id }) {
			lb.pools[m.pool] = append(lb.pools[m.pool], m.config)
		}
	}
}
