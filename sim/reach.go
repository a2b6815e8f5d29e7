package sim

import (
	"cmp"
	"fmt"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"go4.org/netipx"

	"github.com/vnetsim/vnetsim/topology"
)

// defaultMaxExamples caps Reach.Examples when ReachOptions.MaxExamples is 0
// (docs/reference/json.md: --summary prints up to 100 example pairs).
const defaultMaxExamples = 100

// Reach answers which pairs of VNets or subnets can talk, over a header
// space of protocols and destination ports (docs/reference/commands.md, reach).
//
// It reasons over ranges rather than sampling: each subnet's addresses are
// cut into intervals at every prefix that some decision point names (VNet
// ranges, synced ranges, routes, on-premises prefixes, ACL prefixes), the
// ports into intervals at every ACL and load balancer boundary, and one
// packet per (source interval, destination interval, protocol, port
// interval) class is traced. Packets of one class meet the same decision at
// every step, so the class's fate is every member's.
//
// A subnet as a destination counts as delivered when the packet enters it
// (docs/reference/topology.md): sources are every address of the source subnet, filtered by
// the subnet's ACL only, and destinations every address of the destination
// subnet, whether or not a VM holds it. A pair of VNets aggregates every
// pair of their subnets. A unit is never paired with itself.
func (e *Engine) Reach(opts ReachOptions) *Reach {
	r, _ := e.reach(opts, nil)
	return r
}

// ReachEach answers like Reach, but a listing hands each pair to yield, in
// (From, To) order, and keeps none of them: the pairs are answered a batch
// of source units at a time, so memory holds one batch whatever the number
// of pairs, and a writer can stream millions of pairs to its output. The
// returned Reach has the counts and examples and no Pairs. A summary
// (Summary, or Summarised) yields nothing. The first error yield returns
// stops the work and is returned.
func (e *Engine) ReachEach(opts ReachOptions, yield func(ReachPair) error) (*Reach, error) {
	return e.reach(opts, yield)
}

// reach is Reach, or with yield ReachEach.
func (e *Engine) reach(opts ReachOptions, yield func(ReachPair) error) (*Reach, error) {
	e.indexAll() // the walks read every VNet, without locks once indexed
	q := e.newQuestion(opts)
	from := e.units(opts.Level, opts.From)
	to := e.units(opts.Level, opts.To)
	r := &Reach{Level: opts.Level}
	if !opts.Summary && opts.MaxPairs > 0 && len(from)*len(to) > opts.MaxPairs {
		opts.Summary, r.Summarised = true, true
	}
	maxEx := opts.MaxExamples
	if maxEx <= 0 {
		maxEx = defaultMaxExamples
	}

	// Warm the lazy caches so that the workers only read: the units'
	// subnets, and the first two members of every group, which answer
	// for the others (they need not be units themselves when From or To
	// restrict the question).
	warm := func(s *topology.Subnet) {
		e.subnetRoutes(s)
		e.vnetTag(s.VirtualNetwork)
		q.addrClasses(s)
	}
	for _, u := range slices.Concat(from, to) {
		for _, s := range u.subnets {
			warm(s)
		}
	}
	q.groupSubnets()
	for _, m := range q.members {
		for _, s := range m[:min(2, len(m))] {
			warm(s)
		}
	}
	for _, units := range [][]reachUnit{from, to} {
		for i := range units {
			for _, s := range units[i].subnets {
				units[i].groups = append(units[i].groups, q.group[s])
			}
		}
	}
	q.frozen = true
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	prog := &progress{report: opts.Progress, total: len(from)}

	switch {
	case opts.Summary && opts.Level == LevelSubnet:
		q.routeSets()
		// Subnets of different families are not paired: each family is
		// summed up on its own, and the examples merged in order.
		for fam := range 2 {
			if f, t := ofFamily(from, fam), ofFamily(to, fam); len(f) > 0 && len(t) > 0 {
				q.summarise(r, f, t, workers, maxEx, prog)
			} else {
				prog.add(len(f))
			}
		}
		slices.SortStableFunc(r.Examples, func(a, b ReachPair) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
		r.Examples = r.Examples[:min(len(r.Examples), maxEx)]
	case opts.Summary:
		q.routeSets()
		q.summariseVNets(r, from, to, workers, maxEx, prog)
	default:
		// A listing explains its pairs batch by batch, before handing
		// them on.
		emit := yield
		if emit == nil {
			emit = func(p ReachPair) error { r.Pairs = append(r.Pairs, p); return nil }
		}
		return r, q.listPairs(r, from, to, workers, maxEx, prog, !opts.NoExplanations, emit)
	}
	// Explanations need a full walk; only the examples shown pay it.
	if !opts.NoExplanations {
		for i := range r.Examples {
			e.explain(&r.Examples[i])
		}
	}
	return r, nil
}

// maxBatchPairs is about the most pairs a listing answers before handing
// them on: enough for both cores to share the work, few enough that a
// listing of millions of pairs never holds more than a few megabytes.
const maxBatchPairs = 1 << 13

// listPairs answers every pair of units one by one and hands each to
// emit, in (From, To) order, counting them and keeping the first maxEx
// non-all pairs as examples; with explain, each non-all pair is explained
// first. Source units are answered in batches, each batch in parallel, so
// that only one batch of pairs is held at a time.
func (q *question) listPairs(r *Reach, from, to []reachUnit, workers, maxEx int, prog *progress, explain bool, emit func(ReachPair) error) error {
	// Each worker keeps its cache of group rows from batch to batch.
	caches := make(chan *pairCache, workers)
	for range workers {
		caches <- &pairCache{}
	}
	batch := max(workers, maxBatchPairs/max(1, len(to)))
	rows := make([][]ReachPair, batch)
	for lo := 0; lo < len(from); lo += batch {
		hi := min(lo+batch, len(from))
		// Work is handed out in runs of source units that start with
		// the same group, so that one worker computes a group's row once.
		var runs [][2]int
		for i := lo; i < hi; i++ {
			if i > lo && len(from[i].groups) > 0 && len(from[i-1].groups) > 0 && from[i].groups[0] == from[i-1].groups[0] {
				runs[len(runs)-1][1] = i + 1
				continue
			}
			runs = append(runs, [2]int{i, i + 1})
		}
		fanOut(workers, len(runs), func(take func() (int, bool)) {
			cache := <-caches
			defer func() { caches <- cache }()
			for k, ok := take(); ok; k, ok = take() {
				for i := runs[k][0]; i < runs[k][1]; i++ {
					row := rows[i-lo][:0]
					for _, t := range to {
						if from[i].pairs(t) {
							row = append(row, q.pairWith(from[i], t, cache))
						}
					}
					rows[i-lo] = row
				}
				prog.add(runs[k][1] - runs[k][0])
			}
		})
		for _, row := range rows[:hi-lo] {
			for _, p := range row {
				r.Counts.add(p.Result, 1)
				if explain {
					q.e.explain(&p)
				}
				if p.Result != OutcomeAll && len(r.Examples) < maxEx {
					r.Examples = append(r.Examples, p)
				}
				if err := emit(p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// fanOut runs work on up to workers goroutines, at least one, and waits for
// them. Each calls take for the index of its next item of n until take
// reports that none is left.
func fanOut(workers, n int, work func(take func() (int, bool))) {
	var next atomic.Int64
	take := func() (int, bool) {
		k := int(next.Add(1)) - 1
		return k, k < n
	}
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(take)
		}()
	}
	wg.Wait()
}

// progress relays finished source units to ReachOptions.Progress, one
// call at a time.
type progress struct {
	mu          sync.Mutex
	report      func(done, total int)
	done, total int
}

// add counts n more finished source units and reports the running total.
func (p *progress) add(n int) {
	if p.report == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	p.report(p.done, p.total)
}

// add counts n pairs of outcome o.
func (c *ReachCounts) add(o Outcome, n int) {
	switch o {
	case OutcomeAll:
		c.All += n
	case OutcomeSome:
		c.Some += n
	default:
		c.None += n
	}
}

// ReachPair answers one pair. from and to are VNet names or VNET/SUBNET;
// opts.Level, From, To and Summary are ignored.
func (e *Engine) ReachPair(from, to string, opts ReachOptions) (ReachPair, error) {
	fu, err := e.unit(from)
	if err != nil {
		return ReachPair{}, err
	}
	tu, err := e.unit(to)
	if err != nil {
		return ReachPair{}, err
	}
	if fu.subnet && tu.subnet && mixedFamilies(fu.subnets[0], tu.subnets[0]) {
		return ReachPair{}, fmt.Errorf("reach: %s (%s) and %s (%s) are of different address families: no packet goes from one to the other",
			from, fu.subnets[0].AddressPrefix, to, tu.subnets[0].AddressPrefix)
	}
	p := e.newQuestion(opts).pair(fu, tu)
	e.explain(&p)
	return p, nil
}

// explain fills a non-all pair's explanation by tracing its example with
// every step recorded.
func (e *Engine) explain(p *ReachPair) {
	if p.Example == nil || p.Explanation != "" {
		return
	}
	tr := e.Trace(*p.Example)
	p.Explanation = tr.Explanation
}

// reachUnit is one side of a pair: a VNet or a subnet and its subnets.
type reachUnit struct {
	name    string
	subnets []*topology.Subnet
	groups  []int // each subnet's group, once Reach has grouped them
	subnet  bool  // a subnet rather than a VNet
}

// pairs reports whether u and t form a pair: a unit is never paired with
// itself, nor a subnet with a subnet of the other address family, which no
// packet goes between (docs/semantics.md#reachability).
func (u reachUnit) pairs(t reachUnit) bool {
	return u.name != t.name && !(u.subnet && t.subnet && mixedFamilies(u.subnets[0], t.subnets[0]))
}

// mixedFamilies reports whether one of a and b is an IPv4 subnet and the
// other an IPv6 one.
func mixedFamilies(a, b *topology.Subnet) bool {
	return family(a.AddressPrefix.Addr()) != family(b.AddressPrefix.Addr())
}

// ofFamily returns the units whose subnet is of address family fam:
// units itself, not a copy, when they all are.
func ofFamily(units []reachUnit, fam int) []reachUnit {
	of := func(u reachUnit) bool { return family(u.subnets[0].AddressPrefix.Addr()) == fam }
	if !slices.ContainsFunc(units, func(u reachUnit) bool { return !of(u) }) {
		return units
	}
	var out []reachUnit
	for _, u := range units {
		if of(u) {
			out = append(out, u)
		}
	}
	return out
}

// units lists the units of a level, ordered by name, restricted to names
// (VNets, or VNET/SUBNET) when names is not empty.
func (e *Engine) units(level Level, names []string) []reachUnit {
	var out []reachUnit
	for _, v := range e.sortedVNets() {
		if level == LevelVNet {
			if len(names) == 0 || slices.Contains(names, v.Name) {
				out = append(out, reachUnit{name: v.Name, subnets: v.SortedSubnets()})
			}
			continue
		}
		for _, s := range v.SortedSubnets() {
			n := v.Name + "/" + s.Name
			if len(names) == 0 || slices.Contains(names, n) || slices.Contains(names, v.Name) {
				out = append(out, reachUnit{name: n, subnets: []*topology.Subnet{s}, subnet: true})
			}
		}
	}
	slices.SortFunc(out, func(a, b reachUnit) int { return cmp.Compare(a.name, b.name) })
	return out
}

// unit resolves a VNet name or VNET/SUBNET.
func (e *Engine) unit(name string) (reachUnit, error) {
	if vn, sn, ok := strings.Cut(name, "/"); ok {
		if v := e.net.VirtualNetworks[vn]; v != nil && v.Subnets[sn] != nil {
			return reachUnit{name: name, subnets: []*topology.Subnet{v.Subnets[sn]}, subnet: true}, nil
		}
		var subnets []string
		for _, v := range e.net.SortedVirtualNetworks() {
			for _, s := range v.SortedSubnets() {
				subnets = append(subnets, v.Name+"/"+s.Name)
			}
		}
		return reachUnit{}, fmt.Errorf("reach: no subnet %q%s", name, didYouMean(name, subnets))
	}
	if v := e.net.VirtualNetworks[name]; v != nil {
		return reachUnit{name: name, subnets: v.SortedSubnets()}, nil
	}
	return reachUnit{}, fmt.Errorf("reach: no virtual network %q%s", name, didYouMean(name, sortedKeys(e.net.VirtualNetworks)))
}

// question is a reach question's header space, cut into classes.
type question struct {
	e *Engine
	// classes lists (protocol, representative port) pairs.
	classes []portClass
	// inside holds, per subnet, the boundary prefixes strictly inside it.
	inside map[*topology.Subnet][]netip.Prefix

	// sig is each subnet's equivalence signature (see cutSubnets).
	sig map[*topology.Subnet]string
	// group numbers the signatures, and members lists each group's
	// subnets in name order; set by Reach before the workers start.
	group   map[*topology.Subnet]int
	members [][]*topology.Subnet

	mu        sync.Mutex
	classesOf map[*topology.Subnet][]addrClass
	// frozen is set once classesOf holds every subnet asked about and no
	// longer changes, so that readers need no lock.
	frozen bool

	memo memo // suffix fates shared by the pairs' walks

	// routed holds, per group, the addresses its routes forward: those
	// whose longest Active route has a next hop other than None; reps
	// finds the groups whose first member overlaps addresses. Both are set
	// by a summary before its workers start (routeSets).
	routed []*netipx.IPSet
	reps   repIndex
}

// repIndex finds groups by the prefix of their first member.
type repIndex struct {
	byPrefix map[netip.Prefix][]int
	sorted   []netip.Prefix // the prefixes of byPrefix, by address
}

// overlapping returns the groups whose first member's prefix overlaps r,
// sorted, each once: the prefixes holding r's first address, found by
// masking it to every length, and those starting inside r.
func (x *repIndex) overlapping(r netipx.IPRange, out []int) []int {
	a := r.From()
	for bits := 0; bits <= a.BitLen(); bits++ {
		if p, err := a.Prefix(bits); err == nil {
			out = append(out, x.byPrefix[p]...)
		}
	}
	i, _ := slices.BinarySearchFunc(x.sorted, a, func(p netip.Prefix, a netip.Addr) int { return p.Addr().Compare(a) })
	for ; i < len(x.sorted) && x.sorted[i].Addr().Compare(r.To()) <= 0; i++ {
		out = append(out, x.byPrefix[x.sorted[i]]...)
	}
	return out
}

// forwardedTo returns, sorted, the destination groups gd that gs's routes
// may carry a packet to, together with gs itself: every other group gd has
// droppedAtSource(gs, gd), which a summary counts in bulk instead of
// asking pair by pair. On a chain of 10,000 VNets that is a VNet's two
// neighbours rather than 10,000 groups.
func (q *question) forwardedTo(gs int) []int {
	out := []int{gs}
	for _, r := range q.routed[gs].Ranges() {
		out = q.reps.overlapping(r, out)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

type portClass struct {
	proto topology.Protocol
	port  uint16
}

func (e *Engine) newQuestion(opts ReachOptions) *question {
	q := &question{e: e, classesOf: make(map[*topology.Subnet][]addrClass)}
	protos := []topology.Protocol{opts.Protocol}
	if opts.Protocol == topology.ProtocolAll {
		protos = []topology.Protocol{topology.TCP, topology.UDP, topology.ICMP}
	}
	for _, proto := range protos {
		if !proto.HasPorts() {
			q.classes = append(q.classes, portClass{proto: proto})
			continue
		}
		for _, port := range e.portReps(proto, opts.Ports) {
			q.classes = append(q.classes, portClass{proto: proto, port: port})
		}
	}
	q.inside, q.sig = e.cutSubnets(e.boundaries())
	return q
}

// portReps returns one port per class of the ranges asked (every port,
// MinPort to MaxPort, when none): the ranges are cut at every destination
// port boundary an ACL rule or a load balancer rule for proto names. Port 0
// is never a class: no packet is sent to it.
func (e *Engine) portReps(proto topology.Protocol, ranges []topology.PortRange) []uint16 {
	if len(ranges) == 0 {
		ranges = []topology.PortRange{{Lo: MinPort, Hi: MaxPort}}
	}
	cuts := map[int]bool{} // a class starts at each cut
	addRange := func(r topology.PortRange) {
		cuts[int(r.Lo)] = true
		cuts[int(r.Hi)+1] = true
	}
	for _, a := range e.net.SortedACLs() {
		for _, r := range a.Rules {
			if r.Protocol == topology.ProtocolAll || r.Protocol == proto {
				for _, pr := range r.DestinationPortRanges {
					addRange(pr)
				}
			}
		}
	}
	for _, v := range e.sortedVNets() {
		for _, lb := range v.SortedLoadBalancers() {
			for _, r := range lb.Rules {
				if r.Protocol == topology.ProtocolAll || r.Protocol == proto {
					addRange(topology.PortRange{Lo: r.FrontendPort, Hi: r.FrontendPort})
				}
			}
		}
	}
	var out []uint16
	for _, r := range ranges {
		if r.Lo < MinPort {
			if r.Hi < MinPort {
				continue
			}
			r.Lo = MinPort
		}
		out = append(out, r.Lo)
		for c := range cuts {
			if c > int(r.Lo) && c <= int(r.Hi) {
				out = append(out, uint16(c))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// boundaries returns every prefix a decision point names, once each.
func (e *Engine) boundaries() []netip.Prefix {
	seen := map[netip.Prefix]bool{}
	var out []netip.Prefix
	add := func(p netip.Prefix) {
		if !p.IsValid() {
			return
		}
		p = p.Masked()
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, v := range e.sortedVNets() {
		for _, p := range v.AddressSpace {
			add(p)
		}
		for _, pe := range e.peeringListOf(v) {
			for _, p := range pe.SyncedRemote {
				add(p)
			}
		}
	}
	for _, rt := range e.net.SortedRouteTables() {
		for _, r := range rt.Routes {
			add(r.AddressPrefix)
		}
	}
	for _, o := range e.sortedSites() {
		for _, p := range o.AddressSpace {
			add(p)
		}
	}
	for _, p := range reservedRanges {
		add(p)
	}
	add(azureLoadBalancerAddr)
	for _, a := range e.net.SortedACLs() {
		for _, r := range a.Rules {
			for _, m := range slices.Concat(r.SourceAddressPrefixes, r.DestinationAddressPrefixes) {
				add(m.Prefix)
			}
		}
	}
	return out
}

// cutSubnets returns, per subnet, the boundary prefixes strictly inside it,
// and a signature per subnet: subnets with equal signatures are treated
// alike by every decision point, as sources and as destinations. They lie
// in one VNet, share route table and ACL, hold no boundary inside, and the
// same boundaries contain them. A subnet cut by a boundary is alone.
func (e *Engine) cutSubnets(bounds []netip.Prefix) (map[*topology.Subnet][]netip.Prefix, map[*topology.Subnet]string) {
	var subnets, containers prefixIndex[*topology.Subnet]
	var bidx prefixIndex[netip.Prefix]
	for _, v := range e.sortedVNets() {
		for _, s := range v.Subnets {
			subnets.add(s.AddressPrefix, s)
		}
	}
	inside := map[*topology.Subnet][]netip.Prefix{}
	for _, p := range bounds {
		bidx.add(p, p)
		for _, s := range subnets.all(p.Addr()) {
			if s.AddressPrefix.Bits() < p.Bits() {
				inside[s] = append(inside[s], p)
			}
		}
	}
	_ = containers
	sig := map[*topology.Subnet]string{}
	for _, v := range e.sortedVNets() {
		for _, s := range v.SortedSubnets() {
			if len(inside[s]) > 0 {
				sig[s] = "alone " + e.subnetName(s)
				continue
			}
			var b strings.Builder
			fmt.Fprintf(&b, "%p %p %p %d", v, s.RouteTable, s.AccessControlList, family(s.AddressPrefix.Addr()))
			sp := s.AddressPrefix.Masked()
			var around []netip.Prefix
			for _, p := range bidx.all(sp.Addr()) {
				if p.Bits() <= sp.Bits() {
					around = append(around, p)
				}
			}
			slices.SortFunc(around, func(a, b netip.Prefix) int {
				return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
			})
			for _, p := range around {
				b.WriteString(" " + p.String())
			}
			sig[s] = b.String()
		}
	}
	return inside, sig
}

// addrClass is an interval of a subnet's addresses that every decision
// point treats alike, and the address that stands for it.
type addrClass struct {
	lo, hi, rep netip.Addr
}

// addrClasses cuts s's addresses at every boundary prefix inside it. The
// first usable host stands for its class when it lies in it, so that
// examples look like real hosts.
func (q *question) addrClasses(s *topology.Subnet) []addrClass {
	if q.frozen {
		return q.classesOf[s]
	}
	q.mu.Lock()
	cs, ok := q.classesOf[s]
	q.mu.Unlock()
	if ok {
		return cs
	}
	p := s.AddressPrefix.Masked()
	last := netipx.PrefixLastIP(p)
	starts := []netip.Addr{p.Addr()}
	for _, b := range q.inside[s] {
		starts = append(starts, b.Addr())
		if n := netipx.PrefixLastIP(b).Next(); n.IsValid() && p.Contains(n) {
			starts = append(starts, n)
		}
	}
	slices.SortFunc(starts, netip.Addr.Compare)
	starts = slices.Compact(starts)
	host := q.e.firstHost(p)
	cs = make([]addrClass, len(starts))
	for i, a := range starts {
		c := addrClass{lo: a, hi: last, rep: a}
		if i+1 < len(starts) {
			c.hi = starts[i+1].Prev()
		}
		if a.Compare(host) <= 0 && host.Compare(c.hi) <= 0 {
			c.rep = host
		}
		cs[i] = c
	}
	q.mu.Lock()
	q.classesOf[s] = cs
	q.mu.Unlock()
	return cs
}

// groupSubnets numbers the signatures of every subnet, in name order.
func (q *question) groupSubnets() {
	q.group = map[*topology.Subnet]int{}
	ids := map[string]int{}
	for _, v := range q.e.sortedVNets() {
		for _, s := range v.SortedSubnets() {
			id, ok := ids[q.sig[s]]
			if !ok {
				id = len(q.members)
				ids[q.sig[s]] = id
				q.members = append(q.members, nil)
			}
			q.group[s] = id
			q.members[id] = append(q.members[id], s)
		}
	}
}

// subnetResult is the fate of one subnet pair's classes; ex* index the
// example class (source class, destination class, port class): the first
// dropped one, else the first that left through the Internet; -1 when
// every class is delivered.
type subnetResult struct {
	classes, delivered   int
	exSrc, exDst, exPort int
	reason               Reason
}

// betterExample reports whether a class that was not delivered, for
// reason, makes a better example than the one a pair has (if it has one,
// for haveReason): the first one does, and a dropped one beats one that
// left through the Internet, which has no reason.
func betterExample(has bool, haveReason, reason Reason) bool {
	return !has || haveReason == "" && reason != ""
}

// subnetPair traces one packet per class from ss to ds; subnets of
// different address families have no class in common.
func (q *question) subnetPair(ss, ds *topology.Subnet) subnetResult {
	r := subnetResult{exSrc: -1}
	if mixedFamilies(ss, ds) {
		return r
	}
	sname, dname := q.e.subnetName(ss), q.e.subnetName(ds)
	for si, sc := range q.addrClasses(ss) {
		ep := Endpoint{Name: sname, Kind: EndpointSubnet, Addr: sc.rep,
			VirtualNetwork: ss.VirtualNetwork.Name, Subnet: ss.Name, Prefix: ss.AddressPrefix.Masked()}
		for di, dc := range q.addrClasses(ds) {
			for ci, c := range q.classes {
				f := Flow{From: sname, To: dname, Src: sc.rep, Dst: dc.rep, Protocol: c.proto, Port: c.port, DstSubnet: dname}
				tr := q.e.traceTo(f, ep, subnetTarget(ds), true, &q.memo)
				r.classes++
				switch {
				case tr.Result == Delivered:
					r.delivered++
				case betterExample(r.exSrc >= 0, r.reason, tr.Reason):
					r.exSrc, r.exDst, r.exPort, r.reason = si, di, ci, tr.Reason
				}
			}
		}
	}
	return r
}

// pairCache holds group-pair results for one worker: a row per source
// group, indexed by destination group and whether the two subnets share
// it. Rows are consecutive in practice (subnets come in name order, and a
// VNet's subnets tend to share a group), so a few rows are kept. A row's
// array is reused for the next source group rather than allocated again:
// its entries count only when stamped with the row's generation, so a
// chain of 10,000 VNets, each its own group, does not allocate and clear
// 10,000 rows of 10,000 entries.
type pairCache struct {
	rows    map[int]*cacheRow
	lastGs  int
	lastRow *cacheRow
	spare   []*cacheRow
	gen     uint32
}

type cacheRow struct {
	gen uint32
	res []cachedResult
}

type cachedResult struct {
	subnetResult
	gen uint32 // the row's generation when stored; 0 is never one
}

// maxCachedRows bounds a pairCache; it is emptied when full.
const maxCachedRows = 8

func (c *pairCache) row(gs, groups int) *cacheRow {
	if c.lastRow != nil && c.lastGs == gs {
		return c.lastRow
	}
	if r, ok := c.rows[gs]; ok {
		c.lastGs, c.lastRow = gs, r
		return r
	}
	if c.rows == nil || len(c.rows) >= maxCachedRows {
		for _, r := range c.rows {
			c.spare = append(c.spare, r)
		}
		c.rows = make(map[int]*cacheRow, maxCachedRows)
	}
	var r *cacheRow
	if n := len(c.spare); n > 0 {
		r, c.spare = c.spare[n-1], c.spare[:n-1]
	} else {
		r = &cacheRow{res: make([]cachedResult, 2*groups)}
	}
	c.gen++
	r.gen = c.gen
	c.rows[gs] = r
	c.lastGs, c.lastRow = gs, r
	return r
}

// cachedPair answers a subnet pair from its groups gs and gd: members of a group are treated alike, so the
// fate of (A, B) is that of (first of A's group, first of B's group), or
// of the group's first two members when A and B share a group.
func (q *question) cachedPair(gs, gd int, cache *pairCache) subnetResult {
	row := cache.row(gs, len(q.members))
	i := 2 * gd
	if gs == gd {
		i++
	}
	if row.res[i].gen == row.gen {
		return row.res[i].subnetResult
	}
	r := q.groupPair(gs, gd)
	row.res[i] = cachedResult{r, row.gen}
	return r
}

// routeSets computes q.routed for every group, from its first member's
// effective routes: the addresses covered by Active routes, each prefix
// decided by its winning route (the first Active one, as Lookup picks it),
// the longer prefixes over the shorter ones.
func (q *question) routeSets() {
	q.routed = make([]*netipx.IPSet, len(q.members))
	for g, m := range q.members {
		t := q.e.subnetRoutes(m[0])
		var decided []EffectiveRoute
		seen := map[netip.Prefix]bool{}
		for _, r := range t.Routes {
			if p := r.AddressPrefix.Masked(); r.State == Active && !seen[p] {
				seen[p] = true
				decided = append(decided, r)
			}
		}
		slices.SortStableFunc(decided, func(a, b EffectiveRoute) int { return cmp.Compare(a.AddressPrefix.Bits(), b.AddressPrefix.Bits()) })
		var b netipx.IPSetBuilder
		for _, r := range decided {
			if r.NextHopType == topology.NextHopNone {
				b.RemovePrefix(r.AddressPrefix.Masked())
			} else {
				b.AddPrefix(r.AddressPrefix.Masked())
			}
		}
		q.routed[g], _ = b.IPSet()
	}
	q.reps = repIndex{byPrefix: map[netip.Prefix][]int{}}
	for g, m := range q.members {
		p := m[0].AddressPrefix.Masked()
		if len(q.reps.byPrefix[p]) == 0 {
			q.reps.sorted = append(q.reps.sorted, p)
		}
		q.reps.byPrefix[p] = append(q.reps.byPrefix[p], g)
	}
	slices.SortFunc(q.reps.sorted, func(a, b netip.Prefix) int {
		return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
	})
}

// droppedAtSource reports whether every packet of the group pair (gs, gd)
// is dropped by the source's own routes, so that a summary can count the
// pair none without walking it: no address of the destination subnet has
// a route in the source's table that forwards (the walk finds no route,
// or a None route, and drops the packet in the source VNet), and the pair
// has classes to count. On a chain of 10,000 VNets every pair but a
// VNet's two neighbours is such a pair.
func (q *question) droppedAtSource(gs, gd int) bool {
	rs, rd := q.members[gs][0], q.members[gd][0]
	if gs == gd {
		if len(q.members[gd]) < 2 {
			return false
		}
		rd = q.members[gd][1]
	}
	if q.routed == nil || len(q.classes) == 0 || len(q.addrClasses(rs)) == 0 || len(q.addrClasses(rd)) == 0 || mixedFamilies(rs, rd) {
		return false
	}
	return !q.routed[gs].OverlapsPrefix(rd.AddressPrefix.Masked())
}

// groupPair walks the classes of a subnet pair between groups gs and gd
// from their first members, or from the group's first two members when gs
// is gd: members of a group are treated alike, so the fate of (A, B) is
// that of the representatives. A group paired with itself has two members,
// since a subnet is never paired with itself.
func (q *question) groupPair(gs, gd int) subnetResult {
	rs, rd := q.members[gs][0], q.members[gd][0]
	if gs == gd {
		if len(q.members[gd]) < 2 {
			return subnetResult{exSrc: -1}
		}
		rd = q.members[gd][1]
	}
	return q.subnetPair(rs, rd)
}

// outcome sums up the pair's classes: all, some or none delivered.
func (r subnetResult) outcome() Outcome { return outcomeOf(r.classes, r.delivered) }

// outcomeOf is the outcome of classes of which delivered were delivered;
// no class at all is none.
func outcomeOf(classes, delivered int) Outcome {
	switch {
	case classes == 0 || delivered == 0:
		return OutcomeNone
	case delivered == classes:
		return OutcomeAll
	}
	return OutcomeSome
}

// pair sums up the subnet pairs of two units, walking every class.
func (q *question) pair(from, to reachUnit) ReachPair { return q.pairWith(from, to, nil) }

// pairWith is pair with cache, when not nil, holding group-pair results
// for reuse (one cache per worker).
func (q *question) pairWith(from, to reachUnit, cache *pairCache) ReachPair {
	p := ReachPair{From: from.name, To: to.name}
	for i, ss := range from.subnets {
		for j, ds := range to.subnets {
			if ds == ss {
				continue
			}
			var r subnetResult
			if cache != nil && from.groups != nil && to.groups != nil {
				r = q.cachedPair(from.groups[i], to.groups[j], cache)
			} else {
				r = q.subnetPair(ss, ds)
			}
			p.Classes += r.classes
			p.DeliveredClasses += r.delivered
			if r.exSrc >= 0 && betterExample(p.Example != nil, p.Reason, r.reason) {
				// Grouped subnets have one class each, so the indexes
				// name this pair's own classes.
				sc, dc, c := q.addrClasses(ss)[r.exSrc], q.addrClasses(ds)[r.exDst], q.classes[r.exPort]
				dname := q.e.subnetName(ds)
				p.Example = &Flow{From: q.e.subnetName(ss), To: dname, Src: sc.rep, Dst: dc.rep, Protocol: c.proto, Port: c.port, DstSubnet: dname}
				p.Reason = r.reason
			}
		}
	}
	p.Result = outcomeOf(p.Classes, p.DeliveredClasses)
	return p
}
