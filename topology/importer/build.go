package importer

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Each platform's reader turns its resources into the records below, which
// keep the JSON node every value came from; one builder then makes the
// model from them, whatever the platform, resolving references by
// lower-cased id and reporting what it cannot hold.

// res is what every record shares: where it was read, its id (lower-cased,
// the key references use) and its exported name.
type res struct {
	d        *doc
	n        *node // the resource's object
	id       string
	name     string
	group    string // azure resource group; "" on windows-sdn
	sub      string // azure subscription
	modelled string // the name given in the model
}

// source names the resource in a YAML comment.
func (r *res) source() string {
	if r.n != nil {
		if v := idNode(r.n); v != nil {
			return v.str
		}
	}
	return r.id
}

// ref is a reference to another resource, read at n.
type ref struct {
	id string // lower-cased; "" for no reference
	d  *doc
	n  *node
}

func (r ref) ok() bool { return r.id != "" }

// prefixAt is a prefix and the node it was read from.
type prefixAt struct {
	p netip.Prefix
	n *node
}

type vnetRec struct {
	res
	region   string
	space    []prefixAt
	subnets  []*subnetRec
	peerings []*peeringRec
	stub     *peeringRec // a VNet not in the export, made from this peering
}

type subnetRec struct {
	res
	prefix  prefixAt
	acl, rt ref
}

type peeringRec struct {
	res
	owner       *vnetRec
	remote      ref
	flags       [topology.NumPeeringFlags]*node // as exported, by flag; nil: the default
	state       *node                           // peeringState as exported
	synced      []netip.Prefix                  // remoteAddressSpace; nil when absent
	syncedAt    *node
	remoteSpace []netip.Prefix // remoteVirtualNetworkAddressSpace
	syncLevel   *node
	model       *topology.Peering
}

type aclRec struct {
	res
	rules []ruleRec
}

type ruleRec struct {
	d                    *doc
	n                    *node
	rule                 topology.ACLRule
	priority             *node
	srcGroups, dstGroups []ref // application security groups, expanded to member addresses
}

type routeTableRec struct {
	res
	disable bool
	routes  []routeRec
}

type routeRec struct {
	n     *node
	route topology.Route
}

type nicRec struct {
	res
	vm         string // the VM's name, from virtualMachine.id; "" when none
	primary    bool
	ip         netip.Addr
	ipAt       *node
	subnet     ref
	forwarding bool
	acl        ref
	configs    []string // lower-cased ids of its IP configurations
	groups     []string // lower-cased ids of its application security groups
	firewall   bool     // an Azure Firewall, read as an appliance
}

type lbRec struct {
	res
	sku       topology.LoadBalancerSKU
	frontends []*frontendRec
	pools     map[string][]ref // backend pool id → IP configuration references
	rules     []lbRuleRec
}

type frontendRec struct {
	res
	ip     netip.Addr
	ipAt   *node
	subnet ref
}

type lbRuleRec struct {
	n        *node
	frontend string // lower-cased frontend id
	pool     string // lower-cased pool id
	rule     topology.LoadBalancerRule
	allPorts bool // HA ports: every protocol and port
}

type gatewayRec struct {
	res
	vnet  ref // the VNet of its GatewaySubnet
	typ   topology.GatewayType
	sku   string
	sites []ref
}

type siteRec struct {
	res
	space []prefixAt
}

// records is everything read from the exports of one import.
type records struct {
	vnets    []*vnetRec
	acls     []*aclRec
	tables   []*routeTableRec
	nics     []*nicRec
	lbs      []*lbRec
	gateways []*gatewayRec
	sites    []*siteRec
}

// builder makes the model from records.
type builder struct {
	platform topology.Platform
	net      *topology.Network
	sm       *topology.SourceMap
	diags    diag.Diagnostics
	comments map[string]string // by model path key

	vnets   map[string]*vnetRec
	subnets map[string]*topology.Subnet // by subnet id
	acls    map[string]*topology.ACL
	tables  map[string]*topology.RouteTable
	sites   map[string]*topology.OnPremises
	vms     map[string]*topology.VirtualMachine // by IP configuration id and by NIC id
	members map[string][]netip.Addr             // application security group id → member addresses
}

// report adds a diagnostic at n of d whose summary starts with n's JSON
// path, so that the path is in every rendering.
func (b *builder) report(sev diag.Severity, code diag.Code, d *doc, n *node, detail, format string, args ...any) {
	if n == nil {
		n = d.root // callers pass the value at fault; an absent one is reported at the document
	}
	msg := n.jqPath() + ": " + fmt.Sprintf(format, args...)
	b.diags.Append(diag.Diagnostic{Severity: sev, Code: code, Summary: msg, Detail: detail, Path: n.path(), Subject: d.rangeOf(n)})
}

// duplicate reports a key given twice in one object, at the second: an
// error, as in a topology file, since the file means what each tool makes
// of it.
func (b *builder) duplicate(d *doc, k dupKey) {
	pos := d.pos.at(k.off)
	end := pos
	end.Column += utf8.RuneCountInString(k.key) + 2
	b.diags.Append(diag.Diagnostic{Severity: diag.Error, Code: diag.DuplicateKey,
		Summary: fmt.Sprintf("%s: key %q is given twice in one object", k.value.jqPath(), k.key),
		Detail:  "remove one: tools disagree on what it means (jq keeps the last of two equal keys and both of two that differ in case; ConvertFrom-Json refuses the file); the importer reads the last",
		Path:    k.value.path(), Subject: diag.Range{Filename: d.file, Start: pos, End: end}})
}

// unsupported reports a construct the model cannot hold; choice says what
// the importer did instead.
func (b *builder) unsupported(d *doc, n *node, choice, format string, args ...any) {
	b.report(diag.Warning, diag.ImportUnsupported, d, n, choice, format, args...)
}

// incomplete reports a reference to something the export does not hold, or
// a state its objects contradict.
func (b *builder) incomplete(d *doc, n *node, choice, format string, args ...any) {
	b.report(diag.Warning, diag.ImportIncomplete, d, n, choice, format, args...)
}

// errorf reports a value the importer cannot read at all; the object that
// holds it is skipped.
func (b *builder) errorf(code diag.Code, d *doc, n *node, format string, args ...any) {
	b.report(diag.Error, code, d, n, "", format, args...)
}

// record notes that the model object or field at p came from n of d, for
// the source map, and comments the object with its source when given.
func (b *builder) record(p diag.Path, d *doc, n *node) {
	if n != nil {
		b.sm.Set(p, d.rangeOf(n))
	}
}

func (b *builder) comment(p diag.Path, text string) { b.comments[p.Key()] = printable(text) }

// build makes the network.
func (b *builder) build(recs *records) {
	b.net = &topology.Network{
		Platform:           b.platform,
		VirtualNetworks:    map[string]*topology.VirtualNetwork{},
		RouteTables:        map[string]*topology.RouteTable{},
		AccessControlLists: map[string]*topology.ACL{},
		OnPremises:         map[string]*topology.OnPremises{},
	}
	b.subnets, b.acls, b.tables, b.sites = map[string]*topology.Subnet{}, map[string]*topology.ACL{}, map[string]*topology.RouteTable{}, map[string]*topology.OnPremises{}
	b.vms, b.members, b.vnets = map[string]*topology.VirtualMachine{}, map[string][]netip.Addr{}, map[string]*vnetRec{}
	stubs := b.stubs(recs)
	vnets := slices.Concat(recs.vnets, stubs)
	name(vnets, func(v *vnetRec) *res { return &v.res })
	name(recs.acls, func(a *aclRec) *res { return &a.res })
	name(recs.tables, func(t *routeTableRec) *res { return &t.res })
	name(recs.sites, func(s *siteRec) *res { return &s.res })
	b.endpointNames(recs)
	for _, n := range recs.nics {
		for _, g := range n.groups {
			if n.ip.IsValid() {
				b.members[g] = append(b.members[g], n.ip)
			}
		}
	}
	for _, t := range recs.tables {
		b.routeTable(t)
	}
	for _, a := range recs.acls {
		b.acl(a)
	}
	for _, s := range recs.sites {
		b.site(s)
	}
	for _, v := range vnets {
		b.vnet(v)
	}
	b.gateways(recs.gateways)
	for _, v := range vnets {
		for _, p := range v.peerings {
			b.peering(v, p)
		}
		if v.stub != nil {
			b.stubPeering(v)
		}
	}
	for _, n := range recs.nics {
		b.nic(n)
	}
	if b.platform == topology.WindowsSDN {
		b.appliances()
	}
	for _, lb := range recs.lbs {
		b.loadBalancer(lb)
	}
	for _, v := range b.net.VirtualNetworks {
		for _, p := range v.Peerings {
			if r := b.net.VirtualNetworks[p.RemoteVirtualNetwork]; r != nil && p.SyncedRemote == nil {
				p.SyncedRemote = slices.Clone(r.AddressSpace)
			}
		}
	}
	b.compareStates(vnets)
}

// name gives each record its model name: its exported name, unless two
// records of one kind share it (names are case-insensitive on both
// platforms). Then each is qualified with its resource group, then its
// subscription, and last with a number in id order, so the names do not
// depend on file order. A qualified name is checked against every name of
// the kind, as exported or qualified before it: VNet a of group b must
// not take the name of VNet a.b.
func name[T any](items []T, r func(T) *res) {
	groups := map[string][]*res{}
	taken := map[string]bool{}
	for _, it := range items {
		x := r(it)
		x.modelled = safeName(cmp.Or(x.name, lastSegment(x.id)))
		k := strings.ToLower(x.modelled)
		groups[k] = append(groups[k], x)
		taken[k] = true
	}
	for _, k := range sortedKeys(groups) {
		if g := groups[k]; len(g) > 1 {
			slices.SortFunc(g, func(a, b *res) int { return cmp.Compare(a.id, b.id) })
			qualify(g, taken)
		}
	}
}

// qualify names the records of g, which share one name, with the first
// qualification that makes their names differ from each other and from
// every name taken, and adds the names to taken.
func qualify(g []*res, taken map[string]bool) {
	names := make([]string, len(g))
	for i, x := range g {
		names[i] = x.modelled
	}
	// try qualifies every name further and reports whether they are then
	// unique; each qualification adds to the one before.
	try := func(next func(x *res, name string) string) bool {
		unique, seen := true, map[string]bool{}
		for i, x := range g {
			names[i] = next(x, names[i])
			k := strings.ToLower(fitName(names[i]))
			unique = unique && !seen[k] && !taken[k]
			seen[k] = true
		}
		return unique
	}
	group := func(x *res, name string) string {
		if x.group == "" {
			return name
		}
		return name + "." + safeName(x.group)
	}
	subscription := func(x *res, name string) string {
		if x.sub == "" {
			return name
		}
		return name + "." + safeName(x.sub[:min(8, len(x.sub))])
	}
	if !try(group) && !try(subscription) {
		for i, n := 0, 1; i < len(g); n++ {
			if numbered := fitName(fmt.Sprintf("%s-%d", names[i], n)); !taken[strings.ToLower(numbered)] {
				names[i] = numbered
				i++
			}
		}
	}
	for i, x := range g {
		x.modelled = fitName(names[i])
		taken[strings.ToLower(x.modelled)] = true
	}
}

// fitName makes a name that Azure or the Network Controller allows a
// model name (topology.CheckName): an IP address, which the name would
// shadow as an endpoint, gets "_" after it, and a name longer than
// topology.MaxNameLength characters is cut, keeping a hash of the whole
// so that two names with one beginning stay apart. The comment above the
// object names the resource as exported.
func fitName(s string) string {
	if _, err := netip.ParseAddr(s); err == nil {
		s += "_"
	}
	if utf8.RuneCountInString(s) <= topology.MaxNameLength {
		return s
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	runes := []rune(s)
	return fmt.Sprintf("%s-%08x", string(runes[:topology.MaxNameLength-9]), h.Sum32())
}

// safeName replaces what a topology name may not hold: "/" separates
// VNET/SUBNET, "," separates --trace FROM,TO, and control and format
// characters (a newline, a bidi override) are not names.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == ',' || !unicode.IsPrint(r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" {
		return "unnamed"
	}
	return fitName(s)
}

// printable replaces the characters a YAML comment cannot hold (control
// and format characters) with "?".
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || unicode.IsPrint(r) {
			return r
		}
		return '?'
	}, s)
}

// vnetOfSubnet returns the name of the VNet in a subnet's id, as written.
func vnetOfSubnet(id string) string {
	if i := strings.Index(strings.ToLower(id), "/subnets/"); i >= 0 {
		return lastSegment(id[:i])
	}
	return lastSegment(id)
}

// lastSegment returns the last path segment of an id.
func lastSegment(id string) string { return id[strings.LastIndexByte(id, '/')+1:] }

// endpointNames names VMs and load balancers, which share one namespace
// with each other (commands name endpoints without their VNet). A NIC
// attached to a VM takes the VM's name when it is the VM's primary (or
// only) NIC, else its own.
func (b *builder) endpointNames(recs *records) {
	byVM := map[string][]*nicRec{}
	for _, n := range recs.nics {
		if n.vm != "" {
			byVM[strings.ToLower(n.vm)] = append(byVM[strings.ToLower(n.vm)], n)
		}
	}
	var all []*res
	for _, n := range recs.nics {
		if n.vm != "" {
			nics := byVM[strings.ToLower(n.vm)]
			if primaryNIC(nics) == n {
				n.name = n.vm
			} else {
				b.unsupported(n.d, n.n, "it is an endpoint of its own, named after the NIC",
					"NIC %s is one of %d NICs of VM %s; the model gives a VM one NIC", n.name, len(nics), n.vm)
			}
		}
		all = append(all, &n.res)
	}
	for _, lb := range recs.lbs {
		for _, f := range lb.frontends {
			fname := f.name
			f.name, f.group, f.sub = lb.name, lb.group, lb.sub
			if len(lb.frontends) > 1 {
				f.name = lb.name + "-" + fname
			}
			all = append(all, &f.res)
		}
	}
	name(all, func(r *res) *res { return r })
}

// primaryNIC returns the NIC marked primary, else the first by id.
func primaryNIC(nics []*nicRec) *nicRec {
	if i := slices.IndexFunc(nics, func(n *nicRec) bool { return n.primary }); i >= 0 {
		return nics[i]
	}
	return slices.MinFunc(nics, func(a, b *nicRec) int { return cmp.Compare(a.id, b.id) })
}

// stubs returns a VNet for each remote that a peering names but the export
// does not hold, built from the remote address space the peering reports
// (Azure's remoteVirtualNetworkAddressSpace, else remoteAddressSpace), so
// that the peering keeps its state and its routes. A peering without
// either is dropped.
func (b *builder) stubs(recs *records) []*vnetRec {
	for _, v := range recs.vnets {
		b.vnets[v.id] = v
	}
	var out []*vnetRec
	for _, v := range recs.vnets {
		for _, p := range v.peerings {
			if !p.remote.ok() || b.vnets[p.remote.id] != nil {
				continue
			}
			space := p.remoteSpace
			if len(space) == 0 {
				space = p.synced
			}
			if len(space) == 0 {
				b.incomplete(p.d, p.remote.n, "the peering is dropped: without the remote's address space nothing about it can be simulated; export the remote VNet too",
					"peering %s of %s names %s, which is not in the export", p.name, v.name, p.remote.n.text())
				continue
			}
			stub := &vnetRec{res: res{d: p.d, id: p.remote.id, name: lastSegment(p.remote.n.text()), group: resourceGroupOf(p.remote.id), sub: subscriptionOf(p.remote.id)}, stub: p}
			for _, pf := range space {
				stub.space = append(stub.space, prefixAt{p: pf, n: p.remote.n})
			}
			b.vnets[stub.id] = stub
			b.incomplete(p.d, p.remote.n, "it is modelled from the address space the peering reports, with no subnets, and a peering back as the reported state says; export it too to simulate it",
				"peering %s of %s names %s, which is not in the export", p.name, v.name, p.remote.n.text())
			out = append(out, stub)
		}
	}
	return out
}

func (b *builder) routeTable(t *routeTableRec) {
	rt := &topology.RouteTable{Name: t.modelled, DisableGatewayRoutePropagation: t.disable}
	path := diag.P("routeTables", rt.Name)
	b.record(path, t.d, nameNode(t.n))
	b.comment(path, t.source())
	for _, r := range t.routes {
		b.record(path.Child("routes").Index(len(rt.Routes)), t.d, r.n)
		rt.Routes = append(rt.Routes, r.route)
	}
	b.tables[t.id] = rt
	b.net.RouteTables[rt.Name] = rt
}

func (b *builder) acl(a *aclRec) {
	acl := &topology.ACL{Name: a.modelled}
	path := diag.P("accessControlLists", acl.Name)
	b.record(path, a.d, nameNode(a.n))
	b.comment(path, a.source())
	for _, r := range a.rules {
		rule := r.rule
		rule.SourceAddressPrefixes = b.expandGroups(a, r, r.srcGroups, rule.SourceAddressPrefixes)
		rule.DestinationAddressPrefixes = b.expandGroups(a, r, r.dstGroups, rule.DestinationAddressPrefixes)
		if len(rule.SourceAddressPrefixes) == 0 || len(rule.DestinationAddressPrefixes) == 0 {
			b.unsupported(r.d, r.n, "the rule is dropped: it can match no address the model simulates",
				"rule %s of %s has no address left that the model can hold", rule.Name, a.name)
			continue
		}
		rp := path.Child("rules").Index(len(acl.Rules))
		b.record(rp, r.d, r.n)
		b.record(rp.Child("priority"), r.d, r.priority)
		acl.Rules = append(acl.Rules, rule)
	}
	b.acls[a.id] = acl
	b.net.AccessControlLists[acl.Name] = acl
}

// expandGroups adds to entries the addresses of the NICs the export holds
// in each application security group.
func (b *builder) expandGroups(a *aclRec, r ruleRec, groups []ref, entries []topology.AddressMatch) []topology.AddressMatch {
	for _, g := range groups {
		addrs := slices.Clone(b.members[g.id])
		slices.SortFunc(addrs, netip.Addr.Compare)
		addrs = slices.Compact(addrs)
		var list []string
		for _, ad := range addrs {
			entries = append(entries, topology.AddressMatch{Prefix: netip.PrefixFrom(ad, ad.BitLen())})
			list = append(list, ad.String())
		}
		choice := "it matches no address: no NIC in the export belongs to the group"
		if len(list) > 0 {
			choice = "it matches the addresses of the group's NICs in the export: " + strings.Join(list, ", ")
		}
		b.unsupported(g.d, g.n, choice, "rule %s of %s names application security group %s, which the model does not hold",
			r.rule.Name, a.name, lastSegment(g.n.text()))
	}
	return entries
}

func (b *builder) site(s *siteRec) {
	if len(s.space) == 0 {
		b.incomplete(s.d, s.n, "the site is dropped: its ranges reach the gateway over BGP, which the export does not hold",
			"local network gateway %s has no address space", s.name)
		return
	}
	o := &topology.OnPremises{Name: s.modelled, Hosts: map[string]netip.Addr{}}
	path := diag.P("onPremises", o.Name)
	b.record(path, s.d, nameNode(s.n))
	b.comment(path, s.source())
	for i, p := range s.space {
		o.AddressSpace = append(o.AddressSpace, p.p)
		b.record(path.Child("addressSpace").Index(i), s.d, p.n)
	}
	b.sites[s.id] = o
	b.net.OnPremises[o.Name] = o
}

func (b *builder) vnet(r *vnetRec) {
	v := &topology.VirtualNetwork{
		Name: r.modelled, Region: r.region,
		Subnets: map[string]*topology.Subnet{}, VirtualMachines: map[string]*topology.VirtualMachine{},
		LoadBalancers: map[string]*topology.LoadBalancer{}, Peerings: map[string]*topology.Peering{},
	}
	path := diag.P("virtualNetworks", v.Name)
	if r.stub != nil {
		b.comment(path, "not in the export: made from peering "+r.stub.source()+"\n"+
			"(the address space it reports); its subnets and endpoints are unknown")
		b.record(path, r.stub.d, r.stub.remote.n)
	} else {
		b.comment(path, r.source())
		b.record(path, r.d, nameNode(r.n))
	}
	for i, p := range r.space {
		v.AddressSpace = append(v.AddressSpace, p.p)
		b.record(path.Child("addressSpace").Index(i), r.d, p.n)
	}
	for _, s := range r.subnets {
		sub := &topology.Subnet{Name: s.modelled, VirtualNetwork: v, AddressPrefix: s.prefix.p}
		sp := path.Child("subnets", sub.Name)
		b.record(sp, s.d, nameNode(s.n))
		b.record(sp.Child("addressPrefix"), s.d, s.prefix.n)
		sub.AccessControlList = resolve(b, s.acl, b.acls, b.aclWord(), "subnet "+s.name+" is imported without it")
		sub.RouteTable = resolve(b, s.rt, b.tables, "route table", "subnet "+s.name+" is imported without it (system routes only)")
		v.Subnets[sub.Name] = sub
		b.subnets[s.id] = sub
	}
	b.net.VirtualNetworks[v.Name] = v
}

// aclWord is what the platform calls an ACL.
func (b *builder) aclWord() string {
	if b.platform == topology.WindowsSDN {
		return "access control list"
	}
	return "network security group"
}

// resolve looks a reference up in m, reporting import-incomplete when the
// export does not hold its target.
func resolve[V any](b *builder, r ref, m map[string]V, what, choice string) V {
	v, ok := m[r.id]
	if r.ok() && !ok {
		b.incomplete(r.d, r.n, choice+"; export it too", "%s %s is not in the export", what, lastSegment(r.n.text()))
	}
	return v
}

// gateways gives each VNet its gateway. The model holds one per VNet; of
// two (an ExpressRoute gateway beside a VPN gateway) it keeps the one with
// the most sites the export names, a VPN gateway on a tie, because only
// sites give on-premises ranges to route to.
func (b *builder) gateways(gws []*gatewayRec) {
	slices.SortFunc(gws, func(x, y *gatewayRec) int {
		return cmp.Or(cmp.Compare(len(y.sites), len(x.sites)), cmp.Compare(x.typ, y.typ), cmp.Compare(x.id, y.id))
	})
	for _, g := range gws {
		vr := b.vnets[g.vnet.id]
		switch {
		case !g.vnet.ok():
			b.incomplete(g.d, g.n, "the gateway is dropped", "gateway %s names no gateway subnet, so its virtual network is unknown", g.name)
			continue
		case vr == nil || vr.stub != nil:
			b.incomplete(g.d, g.vnet.n, "the gateway is dropped; export its virtual network too", "gateway %s sits in virtual network %s, which is not in the export", g.name, vnetOfSubnet(g.vnet.n.text()))
			continue
		}
		v := b.net.VirtualNetworks[vr.modelled]
		if v.Gateway != nil {
			b.unsupported(g.d, g.n, fmt.Sprintf("the model keeps gateway %s and drops this one with its connections", v.Gateway.Name),
				"gateway %s is a second gateway of %s; the model holds one gateway per VNet", g.name, v.Name)
			continue
		}
		gw := &topology.Gateway{Name: safeName(g.name), Type: g.typ, SKU: g.sku}
		for _, s := range g.sites {
			if o := resolve(b, s, b.sites, "site", "the gateway is imported without this connection"); o != nil && !slices.Contains(gw.Connections, o) {
				gw.Connections = append(gw.Connections, o)
			}
		}
		v.Gateway = gw
		path := diag.P("virtualNetworks", v.Name, "gateway")
		b.record(path, g.d, nameNode(g.n))
		b.comment(path, g.source())
	}
}

func (b *builder) peering(v *vnetRec, r *peeringRec) {
	remote := b.vnets[r.remote.id]
	if remote == nil {
		return // reported by stubs
	}
	owner := b.net.VirtualNetworks[v.modelled]
	p := &topology.Peering{Name: safeName(r.name), RemoteVirtualNetwork: remote.modelled}
	for _, f := range topology.PeeringFlags() {
		f.Set(p, b.flag(r, r.flags[f], f.Default()))
	}
	p.Disconnected = strings.EqualFold(r.state.text(), "Disconnected")
	p.SyncedRemote = slices.Clone(r.synced)
	if !r.state.isNull() && !slices.ContainsFunc([]string{"Initiated", "Connected", "Disconnected"}, func(s string) bool { return strings.EqualFold(s, r.state.text()) }) {
		b.errorf(diag.InvalidValue, r.d, r.state, "peering %s: peeringState %s is not Initiated, Connected or Disconnected", r.name, describe(r.state))
	}
	path := diag.P("virtualNetworks", owner.Name, "peerings", p.Name)
	b.record(path, r.d, nameNode(r.n))
	b.record(path.Child("remoteVirtualNetwork"), r.d, r.remote.n)
	// Like a topology file, which writes only what differs from the
	// default, the map locates the flags diagnostics name; the others
	// fall back to the peering, and a hub has thousands of peerings.
	for _, f := range topology.PeeringFlags() {
		if f.Of(p) != f.Default() {
			b.record(path.Child(f.Key()), r.d, r.flags[f])
		}
	}
	if p.Disconnected {
		b.record(path.Child("peeringState"), r.d, r.state)
	}
	if r.syncedAt != nil {
		b.record(path.Child("remoteAddressSpace"), r.d, r.syncedAt)
	}
	r.model = p
	owner.Peerings[p.Name] = p
}

// stubPeering gives a stub VNet the peering back that the exported
// peering's state says exists: Connected means the remote holds an object
// toward the owner. Its flags are unknown and take their defaults, except
// that a peering which uses the stub's gateway implies one, with transit.
func (b *builder) stubPeering(stub *vnetRec) {
	r := stub.stub
	if !strings.EqualFold(r.state.text(), "Connected") || r.model == nil {
		return
	}
	v := b.net.VirtualNetworks[stub.modelled]
	owner := r.owner.modelled
	back := topology.NewPeering(safeName(stub.modelled+"-to-"+owner), owner)
	if r.model.UseRemoteGateways {
		back.AllowGatewayTransit = true
		if v.Gateway == nil {
			v.Gateway = &topology.Gateway{Name: safeName(v.Name + "-gw"), Type: topology.Vpn}
			b.incomplete(r.d, r.flags[topology.FlagUseRemoteGateways], "the stub gets a VPN gateway with no sites, so transit validates; routes to its on-premises ranges are unknown",
				"peering %s uses the gateways of %s, which is not in the export", r.name, stub.name)
		}
	}
	v.Peerings[back.Name] = back
	b.record(diag.P("virtualNetworks", v.Name, "peerings", back.Name), r.d, r.remote.n)
}

// flag reads a peering flag; a value that is not a boolean is an error and
// the default is used.
func (b *builder) flag(r *peeringRec, n *node, def bool) bool {
	if n.isNull() {
		return def
	}
	v, ok := n.boolean()
	if !ok {
		b.errorf(diag.InvalidValue, r.d, n, "peering %s: want true or false, got %s", r.name, describe(n))
		return def
	}
	return v
}

// nameNode returns where a resource is named: its "name", else its
// resourceId (the Network Controller's), else the resource itself.
func nameNode(n *node) *node {
	for _, key := range []string{"name", "resourceId"} {
		if v := n.get(key); v != nil {
			return v
		}
	}
	return n
}

// describe says what a node holds, for messages.
func describe(n *node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.kind == jString:
		return fmt.Sprintf("%q", n.str)
	case n.kind == jNumber || n.kind == jBool || n.kind == jNull:
		return n.str
	}
	return n.kind.String()
}

func (b *builder) nic(n *nicRec) {
	sub := b.subnets[n.subnet.id]
	if sub == nil {
		if n.subnet.ok() {
			b.incomplete(n.subnet.d, n.subnet.n, "the NIC is dropped", "NIC %s sits in subnet %s, which is not in the export", n.name, lastSegment(n.subnet.n.text()))
		}
		return
	}
	if !n.ip.IsValid() {
		b.incomplete(n.d, n.n, "the NIC is dropped: an endpoint needs an address", "NIC %s has no private IP address", n.name)
		return
	}
	vm := &topology.VirtualMachine{Name: n.modelled, Subnet: sub, IPAddress: n.ip, IPForwarding: n.forwarding, Running: true}
	vm.AccessControlList = resolve(b, n.acl, b.acls, b.aclWord(), "the NIC is imported without it")
	v := sub.VirtualNetwork
	v.VirtualMachines[vm.Name] = vm
	path := diag.P("virtualNetworks", v.Name, "virtualMachines", vm.Name)
	b.record(path, n.d, nameNode(n.n))
	b.record(path.Child("ipAddress"), n.d, n.ipAt)
	b.comment(path, n.source())
	if n.id != "" {
		b.vms[n.id] = vm
	}
	for _, c := range n.configs {
		b.vms[c] = vm
	}
}

// appliances marks as forwarding every VM whose address a route names as
// its VirtualAppliance next hop: the Network Controller has no IP
// forwarding switch on a NIC, so an appliance is what routes send traffic
// to (its network virtual appliance guide configures only the routes).
func (b *builder) appliances() {
	hops := map[netip.Addr]bool{}
	for _, rt := range b.net.RouteTables {
		for _, r := range rt.Routes {
			if r.NextHopType == topology.NextHopVirtualAppliance {
				hops[r.NextHopIPAddress] = true
			}
		}
	}
	for _, vm := range b.vms {
		if hops[vm.IPAddress] {
			vm.IPForwarding = true
		}
	}
}

func (b *builder) loadBalancer(r *lbRec) {
	for _, f := range r.frontends {
		sub := b.subnets[f.subnet.id]
		if sub == nil {
			b.incomplete(f.d, f.n, "the frontend is dropped", "frontend %s of load balancer %s sits in a subnet that is not in the export", childName(f.n), r.name)
			continue
		}
		v := sub.VirtualNetwork
		lb := &topology.LoadBalancer{Name: f.modelled, Subnet: sub, FrontendIPAddress: f.ip, SKU: r.sku}
		pools, all := map[string]bool{}, false
		lb.Rules = []topology.LoadBalancerRule{} // an internal frontend without rules balances nothing
		for _, rule := range r.rules {
			if rule.frontend != f.id {
				continue
			}
			pools[rule.pool] = true
			if rule.allPorts {
				all = true
				continue
			}
			lb.Rules = append(lb.Rules, rule.rule)
		}
		if all {
			lb.Rules = nil // HA ports: every protocol and port
		}
		if len(pools) > 1 {
			b.unsupported(f.d, f.n, "every rule balances to the VMs of all its pools", "frontend %s of load balancer %s has rules with different backend pools; the model gives a load balancer one", childName(f.n), r.name)
		}
		for _, pool := range sortedKeys(pools) {
			for _, c := range r.pools[pool] {
				vm := b.vms[c.id]
				switch {
				case vm == nil:
					b.incomplete(c.d, c.n, "the backend is dropped", "load balancer %s has a backend %s that is not in the export", r.name, c.n.text())
				case vm.Subnet.VirtualNetwork != v:
					b.unsupported(c.d, c.n, "the backend is dropped", "backend %s of load balancer %s is in another VNet; the model keeps a load balancer's backends in its VNet", vm.Name, r.name)
				case !slices.Contains(lb.Backends, vm):
					lb.Backends = append(lb.Backends, vm)
				}
			}
		}
		v.LoadBalancers[lb.Name] = lb
		path := diag.P("virtualNetworks", v.Name, "loadBalancers", lb.Name)
		b.record(path, f.d, f.n)
		b.record(path.Child("frontendIpAddress"), f.d, f.ipAt)
		b.comment(path, r.source())
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// compareStates reports every peering whose exported state or sync level
// differs from what the model derives from the objects the export holds:
// the exports were taken at different times, or part of the estate is
// missing. The model keeps what the objects say.
func (b *builder) compareStates(vnets []*vnetRec) {
	// The objects by (owner, remote), the first by name as PeeringTo
	// picks: a hub's own map is too long to scan per spoke.
	to := map[[2]string]*topology.Peering{}
	for _, v := range b.net.VirtualNetworks {
		for _, p := range v.Peerings {
			k := [2]string{v.Name, p.RemoteVirtualNetwork}
			if q := to[k]; q == nil || p.Name < q.Name {
				to[k] = p
			}
		}
	}
	for _, v := range vnets {
		for _, r := range v.peerings {
			if r.model == nil {
				continue
			}
			owner := v.modelled
			back := to[[2]string{r.model.RemoteVirtualNetwork, owner}]
			if !r.state.isNull() {
				if got := topology.StateOf(r.model, back); !strings.EqualFold(got.String(), r.state.text()) {
					b.incomplete(r.d, r.state, fmt.Sprintf("the model follows the objects it holds: the peering is %s", got),
						"peering %s of %s is exported %s, but %s", r.name, v.name, r.state.text(), why(owner, r.model, back))
				}
			}
			if lvl := r.syncLevel.text(); lvl != "" && b.platform.Rules().PeeringSync {
				ov, rv := b.net.VirtualNetworks[owner], b.net.VirtualNetworks[r.model.RemoteVirtualNetwork]
				if got := topology.SyncLevelOf(ov, rv, r.model, back); !strings.EqualFold(got.String(), lvl) {
					b.incomplete(r.d, r.syncLevel, fmt.Sprintf("the model follows the address spaces it holds: the peering is %s", got),
						"peering %s of %s is exported %s", r.name, v.name, lvl)
				}
			}
		}
	}
}

// why explains the derived state of p, owned by owner, whose remote holds
// back toward owner (nil: none).
func why(owner string, p, back *topology.Peering) string {
	switch {
	case p.Disconnected:
		return "the export holds it Disconnected"
	case back == nil:
		return fmt.Sprintf("%s holds no peering back to %s in the export", p.RemoteVirtualNetwork, owner)
	case back.Disconnected:
		return fmt.Sprintf("the peering back, %s, is exported Disconnected", back.Name)
	}
	return fmt.Sprintf("%s holds peering %s back to %s in the export", p.RemoteVirtualNetwork, back.Name, owner)
}
