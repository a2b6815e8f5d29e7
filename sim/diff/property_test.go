package diff

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/sim/event"
	"github.com/vnetsim/vnetsim/topology"
)

// estateMutation changes a generated estate the way an engineer might in a
// change window. Each one leaves the estate loadable and is a no-op when
// the object it picks is gone.
type estateMutation struct {
	name  string
	apply func(r *rand.Rand, n *topology.Network, k int)
}

var estateMutations = []estateMutation{
	{"unpeer a spoke", func(r *rand.Rand, n *topology.Network, _ int) {
		if s, hub := pickSpoke(r, n); s != nil {
			deletePeeringTo(s, hub.Name)
			deletePeeringTo(hub, s.Name)
		}
	}},
	{"drop gateway transit of a spoke", func(r *rand.Rand, n *topology.Network, _ int) {
		if s, hub := pickSpoke(r, n); s != nil {
			if p := s.PeeringTo(hub.Name); p != nil {
				p.UseRemoteGateways = false
			}
		}
	}},
	{"refuse forwarded traffic at a spoke", func(r *rand.Rand, n *topology.Network, _ int) {
		if s, hub := pickSpoke(r, n); s != nil {
			if p := s.PeeringTo(hub.Name); p != nil {
				p.AllowForwardedTraffic = false
			}
		}
	}},
	{"remove a spoke", func(r *rand.Rand, n *topology.Network, _ int) {
		if s, hub := pickSpoke(r, n); s != nil {
			deletePeeringTo(hub, s.Name)
			delete(n.VirtualNetworks, s.Name)
		}
	}},
	{"grow a spoke", func(r *rand.Rand, n *topology.Network, k int) {
		if s, _ := pickSpoke(r, n); s != nil && s.Subnets["extra"] == nil {
			pfx := netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(k), 0}), 24)
			s.AddressSpace = append(s.AddressSpace, pfx)
			s.Subnets["extra"] = &topology.Subnet{Name: "extra", VirtualNetwork: s, AddressPrefix: pfx}
		}
	}},
	{"add a spoke", func(r *rand.Rand, n *topology.Network, k int) {
		hub := n.VirtualNetworks["hub00"]
		name := fmt.Sprintf("new%02d", k)
		pfx := netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(100 + k), 0}), 24)
		v := &topology.VirtualNetwork{Name: name, NetworkController: "nc1", AddressSpace: []netip.Prefix{pfx},
			Subnets: map[string]*topology.Subnet{}, VirtualMachines: map[string]*topology.VirtualMachine{},
			LoadBalancers: map[string]*topology.LoadBalancer{}, Peerings: map[string]*topology.Peering{}}
		v.Subnets["app"] = &topology.Subnet{Name: "app", VirtualNetwork: v, AddressPrefix: pfx}
		n.VirtualNetworks[name] = v
		v.Peerings[name+"-to-hub00"] = &topology.Peering{Name: name + "-to-hub00", RemoteVirtualNetwork: "hub00", AllowVirtualNetworkAccess: true, UseRemoteGateways: hub.Gateway != nil}
		hub.Peerings["hub00-to-"+name] = &topology.Peering{Name: "hub00-to-" + name, RemoteVirtualNetwork: name, AllowVirtualNetworkAccess: true, AllowGatewayTransit: true}
	}},
	{"stop the appliance", func(_ *rand.Rand, n *topology.Network, _ int) {
		n.VirtualNetworks["hub00"].VirtualMachines["nva-00"].Running = false
	}},
	{"remove a spoke route", func(_ *rand.Rand, n *topology.Network, _ int) {
		if rt := n.RouteTables["rt-hub00-spokes"]; rt != nil && len(rt.Routes) > 1 {
			rt.Routes = rt.Routes[:1]
		}
	}},
	{"deny RDP between spokes", func(_ *rand.Rand, n *topology.Network, _ int) {
		acl := n.AccessControlLists["acl-hub00-spokes"]
		if acl == nil || slices.ContainsFunc(acl.Rules, func(r topology.ACLRule) bool { return r.Name == "deny-rdp" }) {
			return
		}
		acl.Rules = append(acl.Rules, topology.ACLRule{Name: "deny-rdp", Priority: 250, Type: topology.Inbound, Action: topology.Deny,
			Protocol: topology.TCP, SourceAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, SourcePortRanges: []topology.PortRange{topology.AnyPort},
			DestinationAddressPrefixes: []topology.AddressMatch{topology.AnyAddress}, DestinationPortRanges: []topology.PortRange{{Lo: 3389, Hi: 3389}}})
	}},
	{"move a spoke to another region", func(r *rand.Rand, n *topology.Network, _ int) {
		if s, _ := pickSpoke(r, n); s != nil {
			s.Region = "northeurope"
		}
	}},
	{"add a VM to a spoke", func(r *rand.Rand, n *topology.Network, k int) {
		if s, _ := pickSpoke(r, n); s != nil {
			sub := s.SortedSubnets()[0]
			ip := sub.AddressPrefix.Addr().As4()
			ip[3] = byte(100 + k%100)
			name := fmt.Sprintf("%s-new%02d", s.Name, k)
			s.VirtualMachines[name] = &topology.VirtualMachine{Name: name, Subnet: sub, IPAddress: netip.AddrFrom4(ip), Running: true}
		}
	}},
	{"leave a spoke's peering one-sided", func(r *rand.Rand, n *topology.Network, _ int) {
		if s, hub := pickSpoke(r, n); s != nil {
			if p := s.PeeringTo(hub.Name); p != nil {
				p.UseRemoteGateways = false
			}
			deletePeeringTo(hub, s.Name)
		}
	}},
	{"retire the hub gateway", func(_ *rand.Rand, n *topology.Network, _ int) {
		hub := n.VirtualNetworks["hub00"]
		hub.Gateway = nil
		for _, p := range hub.Peerings {
			p.AllowGatewayTransit = false
			if back := n.Reverse(hub.Name, p); back != nil {
				back.UseRemoteGateways = false
			}
		}
	}},
}

// pickSpoke returns a random remaining spoke of a generated estate and the
// hub it hangs off, or nil when none is left.
func pickSpoke(r *rand.Rand, n *topology.Network) (*topology.VirtualNetwork, *topology.VirtualNetwork) {
	var spokes []*topology.VirtualNetwork
	for _, v := range n.SortedVirtualNetworks() {
		if strings.HasPrefix(v.Name, "hub") {
			continue
		}
		for _, p := range v.SortedPeerings() {
			if hub := n.VirtualNetworks[p.RemoteVirtualNetwork]; hub != nil && strings.HasPrefix(hub.Name, "hub") {
				spokes = append(spokes, v)
				break
			}
		}
	}
	if len(spokes) == 0 {
		return nil, nil
	}
	s := spokes[r.IntN(len(spokes))]
	for _, p := range s.SortedPeerings() {
		if strings.HasPrefix(p.RemoteVirtualNetwork, "hub") {
			return s, n.VirtualNetworks[p.RemoteVirtualNetwork]
		}
	}
	return nil, nil
}

func deletePeeringTo(v *topology.VirtualNetwork, remote string) {
	if p := v.PeeringTo(remote); p != nil {
		delete(v.Peerings, p.Name)
	}
}

// mutate returns a copy of base with a few random mutations, synced the way
// the loader leaves a file: every object has synced its remote's space.
func mutate(r *rand.Rand, base *topology.Network) (*topology.Network, []string) {
	n := base.Clone()
	var names []string
	for k := range 1 + r.IntN(3) {
		m := estateMutations[r.IntN(len(estateMutations))]
		m.apply(r, n, k+10*r.IntN(8))
		names = append(names, m.name)
	}
	for _, v := range n.VirtualNetworks {
		for _, p := range v.Peerings {
			if remote := n.VirtualNetworks[p.RemoteVirtualNetwork]; remote != nil {
				p.SyncedRemote = slices.Clone(remote.AddressSpace)
			}
		}
	}
	return n, names
}

// estateCase is case i of a property test: an estate generated with hubs
// hubs of spokes spokes (windows-sdn for an even i, azure for an odd one)
// and two random variations of it, drawn from seed.
type estateCase struct {
	name          string
	before, after *topology.Network
	bm, am        []string // the mutations of each
}

func newEstateCase(i, hubs, spokes int, seed uint64) estateCase {
	platform := topology.WindowsSDN
	if i%2 == 1 {
		platform = topology.Azure
	}
	base := topology.Generate(topology.GenerateOptions{Platform: platform, Hubs: hubs, Spokes: spokes, SubnetsPerSpoke: 2})
	r := rand.New(rand.NewPCG(uint64(i), seed))
	c := estateCase{name: fmt.Sprintf("%d-%s", i, platform)}
	c.before, c.bm = mutate(r, base)
	c.after, c.am = mutate(r, base)
	return c
}

// valid reports whether both variations validate: some mutation mixes are
// what the platform itself would refuse.
func (c estateCase) valid() bool {
	return !topology.Validate(c.before).HasErrors() && !topology.Validate(c.after).HasErrors()
}

// fullReach is every subnet pair of n, by brute force, keyed by (from, to).
func fullReach(n *topology.Network) map[[2]string]sim.ReachPair {
	m := map[[2]string]sim.ReachPair{}
	for _, p := range sim.New(n).Reach(sim.ReachOptions{Level: sim.LevelSubnet, NoExplanations: true}).Pairs {
		m[[2]string{p.From, p.To}] = p
	}
	return m
}

// Applying the plan between two random variations of a generated estate
// reaches the after network: every step is accepted, and the subnet
// reachability of the plan's last state equals the after network's.
func TestDiffPlanProperty(t *testing.T) {
	const cases = 60
	verified := 0
	for i := range cases {
		c := newEstateCase(i, 1+i%3/2, 4, 7)
		if !c.valid() {
			continue // a mutation mix the platform itself would refuse
		}
		before, after, bm, am := c.before, c.after, c.bm, c.am
		t.Run(c.name, func(t *testing.T) {
			plan := MakePlan(before, after)
			if !plan.Verified {
				t.Fatalf("before %v, after %v: plan not verified:\n%s", bm, am, strings.Join(plan.Problems, "\n"))
			}
			n := before
			for j, s := range plan.Steps {
				var ref *event.Refusal
				if n, ref = event.Apply(n, s.Event); ref != nil {
					t.Fatalf("step %d %s refused on replay: %v", j+1, s.Event.Kind(), ref)
				}
			}
			opts := sim.ReachOptions{Level: sim.LevelSubnet}
			got, want := sim.New(n).Reach(opts), sim.New(after).Reach(opts)
			if len(got.Pairs) != len(want.Pairs) {
				t.Fatalf("%d pairs after the plan, %d in the after network", len(got.Pairs), len(want.Pairs))
			}
			for k := range want.Pairs {
				g, w := got.Pairs[k], want.Pairs[k]
				if g.From != w.From || g.To != w.To || g.Result != w.Result {
					t.Errorf("before %v, after %v: %s → %s is %s after the plan, %s in the after network",
						bm, am, w.From, w.To, g.Result, w.Result)
				}
			}
		})
		verified++
	}
	if verified < cases/3 {
		t.Errorf("only %d of %d random cases were valid estates; the mutations need fixing", verified, cases)
	}
}

// benchEstates returns an estate of hubs × 500 spokes and a copy in which
// ten peering objects differ, one on each of ten spokes spread over the
// hubs: the spokes no longer accept forwarded traffic from their hub (kind
// "forwarding"), or no longer use its gateway (kind "transit").
func benchEstates(hubs int, kind string) (before, after *topology.Network) {
	before = topology.Generate(topology.GenerateOptions{Hubs: hubs, Spokes: 500})
	after = before.Clone()
	for i := range 10 {
		hub := i * hubs / 10
		p := after.VirtualNetworks[fmt.Sprintf("spoke%02d-%03d", hub, i*50)].PeeringTo(fmt.Sprintf("hub%02d", hub))
		switch kind {
		case "forwarding":
			p.AllowForwardedTraffic = false
		case "transit":
			p.UseRemoteGateways = false
		}
	}
	return before, after
}

func BenchmarkDiff(b *testing.B) {
	for _, kind := range []string{"forwarding", "transit"} {
		before, after := benchEstates(1, kind)
		// Validation is the loader's cost, not the diff's: done once.
		bin := Input{Network: before, Diagnostics: topology.Validate(before)}
		ain := Input{Network: after, Diagnostics: topology.Validate(after)}
		for _, impact := range []bool{true, false} {
			name := fmt.Sprintf("spokes=500/changes=10/%s/impact=%t", kind, impact)
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					res, err := Compare(bin, ain, Options{NoImpact: !impact})
					if err != nil || !res.Plan.Verified || len(res.Plan.Steps) != 10 {
						b.Fatalf("diff: %v, plan %+v", err, res.Plan.Problems)
					}
				}
			})
		}
	}
}

// The scope argument of reach.go holds: on random estate pairs, the
// reachability a diff reports, and each step's impact, equal what brute
// force over every subnet pair finds, down to the reason of each lost pair
// (which a shared row's leader gives its members).
func TestDiffScopeMatchesBruteForce(t *testing.T) {
	strip := func(cs []ReachChange) []ReachChange {
		out := make([]ReachChange, len(cs))
		for i, c := range cs {
			out[i] = ReachChange{From: c.From, To: c.To, Result: c.Result, Before: c.Before, Reason: c.Reason}
		}
		return out
	}
	for i := range 40 {
		c := newEstateCase(i, 1+i%3/2, 3, 11)
		if !c.valid() {
			continue
		}
		before, after, bm, am := c.before, c.after, c.bm, c.am
		t.Run(c.name, func(t *testing.T) {
			res, err := Compare(Input{Network: before}, Input{Network: after}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			rb, ra := fullReach(before), fullReach(after)
			want := bruteDelta(rb, ra)
			if !slices.Equal(strip(res.Reachability.Gained), strip(want.Gained)) || !slices.Equal(strip(res.Reachability.Lost), strip(want.Lost)) {
				t.Errorf("before %v, after %v: scoped reachability\n%+v\nbrute force\n%+v", bm, am, res.Reachability, want)
			}
			lists := impactLists(res)
			for j, s := range res.Plan.Steps {
				if w := bruteImpact(rb, fullReach(s.network), ra); !slices.Equal(strip(lists[j]), strip(w)) {
					t.Errorf("before %v, after %v: step %d %s: scoped impact %v, brute force %v", bm, am, j+1, s.Event.Kind(), lists[j], w)
				}
				if s.Impact.Count != len(lists[j]) || !slices.Equal(s.Impact.Lost, lists[j][:min(len(lists[j]), maxImpactHead)]) {
					t.Errorf("step %d: Impact counts %d pairs and heads %v; its list has %d", j+1, s.Impact.Count, s.Impact.Lost, len(lists[j]))
				}
			}
		})
	}
}

// bruteDelta compares every pair of two full listings: the pairs whose
// outcome got better (gained) or worse (lost) from earlier to later,
// sorted; a pair missing from earlier has a new subnet and is gained unless
// it reaches nothing.
func bruteDelta(earlier, later map[[2]string]sim.ReachPair) ReachDelta {
	var d ReachDelta
	for key, lp := range later {
		ep, known := earlier[key]
		c := ReachChange{From: lp.From, To: lp.To, Result: lp.Result}
		switch {
		case !known:
			if lp.Result != sim.OutcomeNone {
				d.Gained = append(d.Gained, c)
			}
		case rank(lp.Result) > rank(ep.Result):
			c.Before = ep.Result
			d.Gained = append(d.Gained, c)
		case rank(lp.Result) < rank(ep.Result):
			c.Before, c.Reason = ep.Result, lp.Reason
			d.Lost = append(d.Lost, c)
		}
	}
	slices.SortFunc(d.Gained, byPair)
	slices.SortFunc(d.Lost, byPair)
	return d
}

// bruteImpact is a plan state's lost pairs by brute force: the pairs the
// state loses against the before network, and the pairs of subnets both
// the before and the after network hold that connect before and that the
// state cuts by lacking one of their subnets.
func bruteImpact(before, state, after map[[2]string]sim.ReachPair) []ReachChange {
	lost := bruteDelta(before, state).Lost
	for key, bp := range before {
		if _, inState := state[key]; !inState && bp.Result != sim.OutcomeNone {
			if _, inAfter := after[key]; inAfter {
				lost = append(lost, ReachChange{From: bp.From, To: bp.To, Result: sim.OutcomeNone, Before: bp.Result, Reason: sim.DestinationNotFound})
			}
		}
	}
	slices.SortFunc(lost, byPair)
	return lost
}

// Every pair of example files on one platform diffs without failing, and
// between two valid files the plan is verified: the examples' estates are
// unrelated, so the plan tears one down and builds the other.
func TestDiffExamplePairs(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*.yaml")
	broken, _ := filepath.Glob("../../examples/broken/*.yaml")
	var inputs []Input
	for _, f := range append(files, broken...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if n, sm, ds := topology.Check(f, data); n != nil {
			inputs = append(inputs, Input{Network: n, Source: sm, Diagnostics: ds})
		}
	}
	if len(inputs) < 3 {
		t.Fatalf("only %d example files load", len(inputs))
	}
	for _, b := range inputs {
		for _, a := range inputs {
			if a.Network.Platform != b.Network.Platform {
				continue
			}
			t.Run(filepath.Base(b.Source.Filename)+"→"+filepath.Base(a.Source.Filename), func(t *testing.T) {
				res, err := Compare(b, a, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if b.Diagnostics.HasErrors() || a.Diagnostics.HasErrors() {
					return // the platform may refuse a step toward or away from an error
				}
				if !res.Plan.Verified {
					t.Errorf("plan not verified:\n%s", strings.Join(res.Plan.Problems, "\n"))
				}
				if b.Source == a.Source && (len(res.Changes) > 0 || len(res.Plan.Steps) > 0) {
					t.Errorf("a file diffed with itself has %d changes and %d steps", len(res.Changes), len(res.Plan.Steps))
				}
			})
		}
	}
}

// FuzzDiff: whatever two files load, diffing them never panics, and a plan
// that claims to be verified replays step by step.
func FuzzDiff(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, file := range files {
		c := loadDiffCase(f, file)
		f.Add(c.before.Source.Source, c.after.Source.Source)
	}
	f.Fuzz(func(t *testing.T, before, after []byte) {
		bn, bs, bd := topology.Check("before.yaml", before)
		an, as, ad := topology.Check("after.yaml", after)
		if bn == nil || an == nil || bn.Platform != an.Platform {
			return
		}
		res, err := Compare(Input{bn, bs, bd}, Input{an, as, ad}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Plan.Verified {
			return
		}
		n := bn
		for i, s := range res.Plan.Steps {
			var r *event.Refusal
			if n, r = event.Apply(n, s.Event); r != nil {
				t.Fatalf("verified plan step %d %s refused on replay: %v", i+1, s.Event.Kind(), r)
			}
		}
	})
}

// On an estate too large to check every pair, the emitted scenario's reach
// expectations are a bounded sample that leads with the affected pairs, and
// each one is what the after network answers over every protocol and port.
func TestDiffScenarioSample(t *testing.T) {
	before := topology.Generate(topology.GenerateOptions{Hubs: 1, Spokes: 20})
	after := before.Clone()
	for _, s := range []string{"spoke00-003", "spoke00-011"} {
		after.VirtualNetworks[s].PeeringTo("hub00").UseRemoteGateways = false
		after.VirtualNetworks[s].PeeringTo("hub00").AllowForwardedTraffic = false
	}
	for _, narrowed := range []bool{false, true} {
		t.Run(fmt.Sprintf("narrowed=%t", narrowed), func(t *testing.T) {
			opts := Options{}
			if narrowed {
				opts.Protocol = topology.TCP
				opts.Ports = []topology.PortRange{{Lo: 22, Hi: 22}}
			}
			res, err := Compare(Input{Network: before}, Input{Network: after}, opts)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Expect
			if !got.Sampled || len(got.Reach) == 0 || len(got.Reach) > MaxScenarioReach {
				t.Fatalf("sampled %t with %d pairs, want a sample of 1-%d", got.Sampled, len(got.Reach), MaxScenarioReach)
			}
			e := sim.New(after)
			for _, p := range got.Reach {
				want, err := e.ReachPair(p.From, p.To, sim.ReachOptions{})
				if err != nil || want.Result != p.Result {
					t.Errorf("%s → %s expected %s, the after network answers %s (%v)", p.From, p.To, p.Result, want.Result, err)
				}
			}
			lost := res.Reachability.Lost
			if len(lost) == 0 {
				if !narrowed {
					t.Fatal("the change loses no pair over every protocol and port; the test checks little")
				}
				return // its ACLs deny SSH from spokes: over TCP/22 nothing is lost
			}
			if !slices.ContainsFunc(got.Reach, func(p sim.ReachPair) bool {
				return p.From == lost[0].From && p.To == lost[0].To
			}) {
				t.Errorf("the first lost pair %s → %s is not among the expectations", lost[0].From, lost[0].To)
			}
		})
	}
}

// Views that share rows and views that walk every group compare alike, and
// both agree with brute force over every pair: sharing only saves walks.
// The diff's own views share only for large scopes, which the scope test's
// small estates rarely reach, so this test compares whole estates.
func TestDiffViewsShareOrWalk(t *testing.T) {
	all := pairScope{all: true}
	changed := 0
	for i := range 12 {
		c := newEstateCase(i, 1+i%2, 5, 13)
		before, after, bm, am := c.before, c.after, c.bm, c.am
		t.Run(c.name, func(t *testing.T) {
			want := bruteDelta(fullReach(before), fullReach(after))
			changed += len(want.Gained) + len(want.Lost)
			for _, share := range []bool{true, false} {
				got, _ := compareViews(sim.NewReachView(before, sim.ViewOptions{ShareRows: share}), sim.NewReachView(after, sim.ViewOptions{ShareRows: share}), all, true)
				for _, c := range [][2][]ReachChange{{got.Gained, want.Gained}, {got.Lost, want.Lost}} {
					if len(c[0]) != len(c[1]) {
						t.Fatalf("before %v, after %v, share %t: %d pairs changed, brute force %d", bm, am, share, len(c[0]), len(c[1]))
					}
					for k := range c[1] {
						g, w := c[0][k], c[1][k]
						if g.From != w.From || g.To != w.To || g.Result != w.Result || g.Before != w.Before || g.Reason != w.Reason {
							t.Errorf("before %v, after %v, share %t: got %+v, brute force %+v", bm, am, share, g, w)
						}
					}
				}
			}
		})
	}
	if changed < 100 {
		t.Errorf("the random estates changed only %d pairs in all; the test checks little", changed)
	}
}
