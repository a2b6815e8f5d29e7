package sim

import (
	"net/netip"
	"slices"
	"sync"

	"github.com/vnetsim/vnetsim/topology"
)

// Reach traces millions of packets that, after their first hop, walk the
// same suffix: every spoke's packet to spoke X leaves the hub appliance the
// same way. memo remembers the fate of such suffixes. An entry is keyed by
// everything the rest of the walk reads except the source address, and
// holds the questions the suffix asked about the source (guards), so it is
// reused only for a packet that answers them alike, and the (node, table)
// pairs it visited, so it is reused only when none of them was visited
// before (loop detection). Trace never uses it: only quiet reach walks do.
type memo struct {
	shards [memoShards]memoShard
}

// memoShards spreads the memo over locks so that workers rarely meet.
const memoShards = 16

type memoShard struct {
	mu sync.RWMutex
	m  map[memoKey]*memoList
}

// shard picks a key's shard by its destination, which varies most.
func (m *memo) shard(k *memoKey) *memoShard {
	b := k.dst.As16()
	return &m.shards[int(b[15]^b[14])%memoShards]
}

// memoKey is the state of a walk at the top of a forwarding step, minus
// the source address and the visited set.
type memoKey struct {
	node       string
	table      *RouteTable
	dst        netip.Addr
	proto      topology.Protocol
	port       uint16
	dstSub     *topology.Subnet
	viaGateway *topology.VirtualNetwork
	onPrem     bool
	global     bool
	fromRegion string
	hops       int
}

type memoList struct {
	mu      sync.Mutex
	entries []memoEntry
}

type memoEntry struct {
	guards  []guard
	visited []visitKey
	result  Result
	reason  Reason
}

// guard is one question a walk asked about the source address, with its
// answer: is src in prefix (set nil), or in set?
type guard struct {
	prefix netip.Prefix
	set    *prefixSet
	vnet   *topology.VirtualNetwork
	want   bool
}

func (g guard) holds(src netip.Addr) bool {
	switch {
	case g.vnet != nil:
		return g.vnet.ContainsAddr(src) == g.want
	case g.set != nil:
		return g.set.contains(src) == g.want
	}
	return g.prefix.Contains(src) == g.want
}

// guardLog collects the guards of one walk. A nil log records nothing.
type guardLog struct {
	guards []guard
}

// noteMatch records an ACL address match on the source.
func (l *guardLog) noteMatch(m topology.AddressMatch, tag *prefixSet, got bool) {
	if l == nil || m.Any {
		return
	}
	switch m.Tag {
	case topology.TagVirtualNetwork:
		l.guards = append(l.guards, guard{set: tag, want: got})
	case topology.TagInternet: // matches outside the set
		l.guards = append(l.guards, guard{set: tag, want: !got})
	case topology.TagAzureLoadBalancer:
		l.guards = append(l.guards, guard{prefix: azureLoadBalancerAddr, want: got})
	default:
		l.guards = append(l.guards, guard{prefix: m.Prefix, want: got})
	}
}

// noteVNet records whether the source lies in v's address space.
func (l *guardLog) noteVNet(v *topology.VirtualNetwork, got bool) {
	if l != nil {
		l.guards = append(l.guards, guard{vnet: v, want: got})
	}
}

// checkpoint marks where a suffix began, so that its entry can be stored
// once the walk ends.
type checkpoint struct {
	key             memoKey
	guards, visited int // offsets into the walk's guard log and visited set
}

// lookup returns the remembered fate of the walk's suffix from key.
func (m *memo) lookup(key memoKey, src netip.Addr, visited []visitKey) (Result, Reason, bool) {
	sh := m.shard(&key)
	sh.mu.RLock()
	l, ok := sh.m[key]
	sh.mu.RUnlock()
	if !ok {
		return 0, "", false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
next:
	for _, e := range l.entries {
		for _, g := range e.guards {
			if !g.holds(src) {
				continue next
			}
		}
		for _, k := range e.visited {
			if slices.Contains(visited, k) {
				continue next
			}
		}
		return e.result, e.reason, true
	}
	return 0, "", false
}

// maxMemoEntries bounds the variants kept per key; past it, walks that
// miss simply walk.
const maxMemoEntries = 16

// store remembers the suffix fates of a finished walk.
func (m *memo) store(w *walk) {
	for _, c := range w.checkpoints[:w.ncheckpoints] {
		e := memoEntry{
			guards:  slices.Clone(w.log.guards[c.guards:]),
			visited: slices.Clone(w.visited[c.visited:w.nvisited]),
			result:  w.t.Result,
			reason:  w.t.Reason,
		}
		sh := m.shard(&c.key)
		sh.mu.Lock()
		l, ok := sh.m[c.key]
		if !ok {
			if sh.m == nil {
				sh.m = make(map[memoKey]*memoList)
			}
			l = &memoList{}
			sh.m[c.key] = l
		}
		sh.mu.Unlock()
		l.mu.Lock()
		if len(l.entries) < maxMemoEntries {
			l.entries = append(l.entries, e)
		}
		l.mu.Unlock()
	}
}
