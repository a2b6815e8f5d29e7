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

	"github.com/vnetsim/vnetsim/topology"
)

// defaultMaxExamples caps Reach.Examples when ReachOptions.MaxExamples is 0
// (contract §4: --summary prints up to 100 example pairs).
const defaultMaxExamples = 100

// Reach answers which pairs of VNets or subnets can talk, over a header
// space of protocols and destination ports (contract §3, "reach").
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
// (contract §1): sources are every address of the source subnet, filtered by
// the subnet's ACL only, and destinations every address of the destination
// subnet, whether or not a VM holds it. A pair of VNets aggregates every
// pair of their subnets. A unit is never paired with itself.
func (e *Engine) Reach(opts ReachOptions) *Reach {
	q := e.newQuestion(opts)
	from := e.units(opts.Level, opts.From)
	to := e.units(opts.Level, opts.To)
	r := &Reach{Level: opts.Level}
	maxEx := opts.MaxExamples
	if maxEx <= 0 {
		maxEx = defaultMaxExamples
	}

	// Warm the lazy caches so that the workers only read.
	for _, u := range slices.Concat(from, to) {
		for _, s := range u.subnets {
			e.subnetRoutes(s)
			e.vnetTag(s.VirtualNetwork)
			q.addrClasses(s)
		}
	}
	q.frozen = true

	type rowResult struct {
		pairs  []ReachPair // every pair, or only non-all pairs (capped) with Summary
		counts ReachCounts
	}
	rows := make([]rowResult, len(from))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(from)))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(from) {
					return
				}
				row := &rows[i]
				for _, t := range to {
					if t.name == from[i].name {
						continue
					}
					p := q.pair(from[i], t)
					switch p.Result {
					case OutcomeAll:
						row.counts.All++
					case OutcomeSome:
						row.counts.Some++
					default:
						row.counts.None++
					}
					if !opts.Summary || (p.Result != OutcomeAll && len(row.pairs) < maxEx) {
						row.pairs = append(row.pairs, p)
					}
				}
			}
		}()
	}
	wg.Wait()

	for _, row := range rows {
		r.Counts.All += row.counts.All
		r.Counts.Some += row.counts.Some
		r.Counts.None += row.counts.None
		for _, p := range row.pairs {
			if !opts.Summary {
				r.Pairs = append(r.Pairs, p)
			}
			if p.Result != OutcomeAll && len(r.Examples) < maxEx {
				r.Examples = append(r.Examples, p)
			}
		}
	}
	// Explanations need a full walk; only the pairs that are shown pay it.
	for i := range r.Pairs {
		e.explain(&r.Pairs[i])
	}
	for i := range r.Examples {
		e.explain(&r.Examples[i])
	}
	return r
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
}

// units lists the units of a level, ordered by name, restricted to names
// (VNets, or VNET/SUBNET) when names is not empty.
func (e *Engine) units(level Level, names []string) []reachUnit {
	var out []reachUnit
	for _, v := range e.vnets {
		if level == LevelVNet {
			if len(names) == 0 || slices.Contains(names, v.Name) {
				out = append(out, reachUnit{name: v.Name, subnets: v.SortedSubnets()})
			}
			continue
		}
		for _, s := range v.SortedSubnets() {
			n := v.Name + "/" + s.Name
			if len(names) == 0 || slices.Contains(names, n) || slices.Contains(names, v.Name) {
				out = append(out, reachUnit{name: n, subnets: []*topology.Subnet{s}})
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
			return reachUnit{name: name, subnets: []*topology.Subnet{v.Subnets[sn]}}, nil
		}
		return reachUnit{}, fmt.Errorf("reach: no subnet %q", name)
	}
	if v := e.net.VirtualNetworks[name]; v != nil {
		return reachUnit{name: name, subnets: v.SortedSubnets()}, nil
	}
	return reachUnit{}, fmt.Errorf("reach: no virtual network %q", name)
}

// question is a reach question's header space, cut into classes.
type question struct {
	e *Engine
	// classes lists (protocol, representative port) pairs.
	classes []portClass
	// inside holds, per subnet, the boundary prefixes strictly inside it.
	inside map[*topology.Subnet][]netip.Prefix

	mu        sync.Mutex
	classesOf map[*topology.Subnet][]addrClass
	// frozen is set once classesOf holds every subnet asked about and no
	// longer changes, so that readers need no lock.
	frozen bool

	memo memo // suffix fates shared by the pairs' walks
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
	q.inside = e.boundariesInside()
	return q
}

// portReps returns one port per class of the ranges asked: the ranges are
// cut at every destination port boundary an ACL rule or a load balancer rule
// for proto names.
func (e *Engine) portReps(proto topology.Protocol, ranges []topology.PortRange) []uint16 {
	if len(ranges) == 0 {
		ranges = []topology.PortRange{topology.AnyPort}
	}
	cuts := map[int]bool{} // a class starts at each cut
	addRange := func(r topology.PortRange) {
		cuts[int(r.Lo)] = true
		cuts[int(r.Hi)+1] = true
	}
	for _, a := range e.net.SortedACLs() {
		for _, r := range a.Rules {
			if r.Protocol == topology.ProtocolAll || r.Protocol == proto {
				addRange(r.DestinationPortRange)
			}
		}
	}
	for _, v := range e.vnets {
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

// boundariesInside returns, per subnet, the prefixes strictly inside it
// that a decision point names.
func (e *Engine) boundariesInside() map[*topology.Subnet][]netip.Prefix {
	var subnets prefixIndex[*topology.Subnet]
	for _, v := range e.vnets {
		for _, s := range v.Subnets {
			subnets.add(s.AddressPrefix, s)
		}
	}
	seen := map[netip.Prefix]bool{}
	out := map[*topology.Subnet][]netip.Prefix{}
	add := func(p netip.Prefix) {
		if !p.IsValid() {
			return
		}
		p = p.Masked()
		if seen[p] {
			return
		}
		seen[p] = true
		for _, s := range subnets.all(p.Addr()) {
			if s.AddressPrefix.Bits() < p.Bits() {
				out[s] = append(out[s], p)
			}
		}
	}
	for _, v := range e.vnets {
		for _, p := range v.AddressSpace {
			add(p)
		}
		for _, pe := range e.peeringList[v.Name] {
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
	for _, o := range e.sites {
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
			add(r.SourceAddressPrefix.Prefix)
			add(r.DestinationAddressPrefix.Prefix)
		}
	}
	return out
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
	last := lastAddr(p)
	starts := []netip.Addr{p.Addr()}
	for _, b := range q.inside[s] {
		starts = append(starts, b.Addr())
		if n := lastAddr(b).Next(); n.IsValid() && p.Contains(n) {
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

// lastAddr returns the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr()
	b := a.AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 7; j >= 0; j-- {
			if i*8+(7-j) >= bits {
				b[i] |= 1 << j
			}
		}
	}
	out, _ := netip.AddrFromSlice(b)
	return out
}

// pair traces one packet per class of the pair and sums up.
func (q *question) pair(from, to reachUnit) ReachPair {
	p := ReachPair{From: from.name, To: to.name}
	for _, ss := range from.subnets {
		sname := q.e.subnetName(ss)
		srcClasses := q.addrClasses(ss)
		for _, ds := range to.subnets {
			if ds == ss {
				continue
			}
			dname := q.e.subnetName(ds)
			dstClasses := q.addrClasses(ds)
			for _, sc := range srcClasses {
				ep := Endpoint{Name: sname, Kind: EndpointSubnet, Addr: sc.rep,
					VirtualNetwork: ss.VirtualNetwork.Name, Subnet: ss.Name, Prefix: ss.AddressPrefix.Masked()}
				for _, dc := range dstClasses {
					for _, c := range q.classes {
						f := Flow{From: sname, To: dname, Src: sc.rep, Dst: dc.rep, Protocol: c.proto, Port: c.port, DstSubnet: dname}
						tr := q.e.traceTo(f, ep, ds, true, &q.memo)
						p.Classes++
						if tr.Result == Delivered {
							p.DeliveredClasses++
						} else if p.Example == nil {
							ex := f
							p.Example = &ex
							p.Reason = tr.Reason
						}
					}
				}
			}
		}
	}
	switch {
	case p.Classes == 0 || p.DeliveredClasses == 0:
		p.Result = OutcomeNone
	case p.DeliveredClasses == p.Classes:
		p.Result = OutcomeAll
	default:
		p.Result = OutcomeSome
	}
	return p
}
