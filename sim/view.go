package sim

import (
	"cmp"
	"runtime"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
)

// A ReachView answers subnet-pair reachability in one network state from
// groups, for a caller that compares states pair by pair, as a diff does,
// and asks only where a change can matter. It holds the state's subnets,
// cut into the groups a reach question treats alike (see Engine.Reach):
// every subnet of a group meets the same decision at every step, so a pair
// of subnets has the fate of its group pair, and one walk of a group pair
// answers every subnet pair between the two groups. With
// ViewOptions.ShareRows, source groups whose rows agree at every
// destination outside their own VNets (the conditions of shareRows) also
// answer for each other there: AnsweredBy names the group pair whose walk
// answers a given one.
//
// Subnets are numbered 0 to Len()-1 in the order of their VNET/SUBNET
// names, the order Reach lists pairs in. A view remembers every group pair
// it has walked. Walk may run several walks at once; the other methods
// must not be called while Walk runs, nor from several goroutines.
type ReachView struct {
	e *Engine
	q *question
	// subs lists every subnet sorted by VNET/SUBNET name, names their
	// names, group their groups; index finds a name's position.
	subs  []*topology.Subnet
	names []string
	group []int
	index map[string]int
	// leader is each group's row leader (shareRows), and vnet each
	// group's VNet.
	leader  []int
	vnet    []*topology.VirtualNetwork
	results map[GroupPair]subnetResult // walked group pairs
	workers int
}

// ViewOptions says what a ReachView answers and how.
type ViewOptions struct {
	// Protocol and Ports are the header space, as in ReachOptions.
	Protocol topology.Protocol
	Ports    []topology.PortRange
	// Workers is the number of goroutines Walk uses; 0 means GOMAXPROCS.
	Workers int
	// Names, when not nil, makes equal subnet names share one string
	// across the views built with it, so that many views of one estate
	// hold its names once.
	Names map[string]string
	// ShareRows lets source groups answer for each other outside their
	// own VNets. Finding them costs a pass over the estate, which pays
	// when many destinations are asked about; without it every group
	// walks its own row.
	ShareRows bool
}

// GroupPair is a source group and a destination group of a ReachView.
type GroupPair struct{ Src, Dst int }

// NewReachView prepares n for subnet-pair questions over the header space
// of opts. It groups every subnet but walks nothing yet.
func NewReachView(n *topology.Network, opts ViewOptions) *ReachView {
	e := New(n)
	e.indexAll() // the walks read every VNet, without locks once indexed
	q := e.newQuestion(ReachOptions{Protocol: opts.Protocol, Ports: opts.Ports})
	v := &ReachView{e: e, q: q, index: map[string]int{}, results: map[GroupPair]subnetResult{}, workers: opts.Workers}
	if v.workers <= 0 {
		v.workers = runtime.GOMAXPROCS(0)
	}
	// Routes and service tags are computed when a walk or shareRows first
	// needs them (their caches take concurrent writers); a view of a plan
	// state walks a few rows and columns, not every subnet's.
	for _, vn := range e.sortedVNets() {
		for _, s := range vn.SortedSubnets() {
			q.addrClasses(s)
			v.subs = append(v.subs, s)
		}
	}
	q.groupSubnets()
	q.frozen = true
	v.names = make([]string, len(v.subs))
	for i, s := range v.subs {
		name := e.subnetName(s)
		if opts.Names != nil {
			if in, ok := opts.Names[name]; ok {
				name = in
			} else {
				opts.Names[name] = name
			}
		}
		v.names[i] = name
	}
	// Reach pairs are ordered by their names, which is not VNet order when
	// one VNet's name is a prefix of another's.
	order := make([]int, len(v.subs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(v.names[a], v.names[b]) })
	subs, names := make([]*topology.Subnet, len(order)), make([]string, len(order))
	for k, i := range order {
		subs[k], names[k] = v.subs[i], v.names[i]
	}
	v.subs, v.names = subs, names
	v.group = make([]int, len(v.subs))
	for i, s := range v.subs {
		v.group[i] = q.group[s]
		v.index[v.names[i]] = i
	}
	all := make([]int, len(q.members))
	v.vnet = make([]*topology.VirtualNetwork, len(q.members))
	for g := range all {
		all[g] = g
		v.vnet[g] = q.members[g][0].VirtualNetwork
	}
	if opts.ShareRows {
		v.leader = q.shareRows(all)
	} else {
		v.leader = slices.Repeat([]int{-1}, len(all))
	}
	return v
}

// Len returns the number of subnets.
func (v *ReachView) Len() int { return len(v.subs) }

// Name returns subnet i's VNET/SUBNET name.
func (v *ReachView) Name(i int) string { return v.names[i] }

// Index returns the number of the subnet called name (VNET/SUBNET).
func (v *ReachView) Index(name string) (int, bool) {
	i, ok := v.index[name]
	return i, ok
}

// VNet returns the name of subnet i's VNet.
func (v *ReachView) VNet(i int) string { return v.subs[i].VirtualNetwork.Name }

// Group returns subnet i's group.
func (v *ReachView) Group(i int) int { return v.group[i] }

// AnsweredBy returns the group pair whose walk answers a subnet of group
// gs toward one of group gd: (gs, gd) itself, or the pair of gs's row
// leader at a destination outside both their VNets.
func (v *ReachView) AnsweredBy(gs, gd int) GroupPair {
	if l := v.leader[gs]; l >= 0 && l != gs && v.vnet[gd] != v.vnet[gs] && v.vnet[gd] != v.vnet[l] {
		return GroupPair{l, gd}
	}
	return GroupPair{gs, gd}
}

// Walk answers the group pairs of pairs not answered yet, in parallel.
func (v *ReachView) Walk(pairs map[GroupPair]bool) {
	var todo []GroupPair
	for k := range pairs {
		if _, ok := v.results[k]; !ok {
			todo = append(todo, k)
		}
	}
	slices.SortFunc(todo, func(a, b GroupPair) int { return cmp.Or(cmp.Compare(a.Src, b.Src), cmp.Compare(a.Dst, b.Dst)) })
	out := make([]subnetResult, len(todo))
	fanOut(v.workers, len(todo), func(take func() (int, bool)) {
		for k, ok := take(); ok; k, ok = take() {
			out[k] = v.q.groupPair(todo[k].Src, todo[k].Dst)
		}
	})
	for i, k := range todo {
		v.results[k] = out[i]
	}
}

// Result returns the outcome of the group pair k and, when some packets
// are dropped, the reason of the first dropped class; it walks k unless
// Walk or an earlier question did.
func (v *ReachView) Result(k GroupPair) (Outcome, Reason) {
	r := v.walked(k)
	return r.outcome(), r.reason
}

// walked returns the fate of the group pair k, walking it if no batch did.
func (v *ReachView) walked(k GroupPair) subnetResult {
	r, ok := v.results[k]
	if !ok {
		r = v.q.groupPair(k.Src, k.Dst)
		v.results[k] = r
	}
	return r
}

// Pair returns the subnet pair (i, j) as Reach lists it, with its example
// dropped flow and reason but without an explanation (see Explain).
func (v *ReachView) Pair(i, j int) ReachPair {
	r := v.walked(v.AnsweredBy(v.group[i], v.group[j]))
	p := ReachPair{From: v.names[i], To: v.names[j], Result: r.outcome(), Classes: r.classes, DeliveredClasses: r.delivered}
	if r.exSrc < 0 {
		return p
	}
	// Grouped subnets have one class each, and shared rows are only
	// those of one-class sources, so the indexes name this pair's classes.
	sc, dc := v.q.addrClasses(v.subs[i]), v.q.addrClasses(v.subs[j])
	if r.exSrc >= len(sc) || r.exDst >= len(dc) || r.exPort >= len(v.q.classes) {
		return p
	}
	c := v.q.classes[r.exPort]
	p.Example = &Flow{From: p.From, To: p.To, Src: sc[r.exSrc].rep, Dst: dc[r.exDst].rep, Protocol: c.proto, Port: c.port, DstSubnet: p.To}
	p.Reason = r.reason
	return p
}

// Explain fills the explanation of a pair that is not all by tracing its
// example in the view's state with every step recorded.
func (v *ReachView) Explain(p *ReachPair) { v.e.explain(p) }
