package sim

import (
	"net/netip"
	"slices"

	"go4.org/netipx"
)

// prefixIndex finds the values stored under the prefixes that contain an
// address. It keeps one map per prefix length in use, so a lookup costs one
// map probe per distinct length rather than a walk over every prefix.
// The zero value is an empty index. netipx has sets of addresses, not maps
// from prefixes to values, which is what the index is for (the VNets or
// subnets under a prefix); a set is a prefixSet.
type prefixIndex[T any] struct {
	m4   map[uint64][]T // IPv4, keyed by v4key: hashing an integer is cheapest
	m6   map[netip.Prefix][]T
	lens [2][]int // per family (0: IPv4, 1: IPv6), longest first
}

// v4key packs a masked IPv4 prefix into an integer.
func v4key(a netip.Addr, bits int) uint64 {
	b := a.As4()
	return uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 | uint64(b[3])<<16 | uint64(bits)
}

// family numbers a's address family: 0 for IPv4, 1 for IPv6.
func family(a netip.Addr) int {
	if a.Is4() {
		return 0
	}
	return 1
}

// add stores v under p (masked).
func (x *prefixIndex[T]) add(p netip.Prefix, v T) {
	if !p.IsValid() {
		return
	}
	p = p.Masked()
	f := family(p.Addr())
	if f == 0 {
		if x.m4 == nil {
			x.m4 = make(map[uint64][]T)
		}
		k := v4key(p.Addr(), p.Bits())
		x.m4[k] = append(x.m4[k], v)
	} else {
		if x.m6 == nil {
			x.m6 = make(map[netip.Prefix][]T)
		}
		x.m6[p] = append(x.m6[p], v)
	}
	if !slices.Contains(x.lens[f], p.Bits()) {
		x.lens[f] = append(x.lens[f], p.Bits())
		slices.Sort(x.lens[f])
		slices.Reverse(x.lens[f])
	}
}

// longest returns the values under the longest prefix containing a, and
// that prefix.
func (x *prefixIndex[T]) longest(a netip.Addr) ([]T, netip.Prefix) {
	if !a.IsValid() {
		return nil, netip.Prefix{}
	}
	if a.Is4() {
		u := a.As4()
		n := uint32(u[0])<<24 | uint32(u[1])<<16 | uint32(u[2])<<8 | uint32(u[3])
		for _, l := range x.lens[0] {
			m := n
			if l < 32 {
				m = n &^ (1<<(32-l) - 1)
			}
			k := uint64(m)<<16 | uint64(l)
			if vs, ok := x.m4[k]; ok {
				return vs, netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}), l)
			}
		}
		return nil, netip.Prefix{}
	}
	for _, l := range x.lens[1] {
		p, err := a.Prefix(l)
		if err != nil {
			continue
		}
		if vs, ok := x.m6[p]; ok {
			return vs, p
		}
	}
	return nil, netip.Prefix{}
}

// all returns the values under every prefix containing a, longest first.
func (x *prefixIndex[T]) all(a netip.Addr) []T {
	if !a.IsValid() {
		return nil
	}
	var out []T
	for _, l := range x.lens[family(a)] {
		p, err := a.Prefix(l)
		if err != nil {
			continue
		}
		if a.Is4() {
			out = append(out, x.m4[v4key(p.Addr(), l)]...)
		} else {
			out = append(out, x.m6[p]...)
		}
	}
	return out
}

// prefixSet is an immutable set of addresses given as prefixes, such as a
// VNet's VirtualNetwork service tag. netipx.IPSetBuilder builds it, merging
// overlapping and adjacent prefixes into ranges; the walk asks it about
// IPv4 addresses millions of times (ACL rules naming VirtualNetwork or
// Internet, and the memo's guards), so its IPv4 ranges are also kept as
// pairs of integers, searched without netip.Addr's 128-bit comparisons
// (docs/performance.md). A nil set is empty.
type prefixSet struct {
	ips *netipx.IPSet
	v4  [][2]uint32 // the IPv4 ranges of ips, sorted and disjoint
}

// newPrefixSet returns the set of the addresses in the prefixes of lists;
// invalid prefixes add nothing.
func newPrefixSet(lists ...[]netip.Prefix) *prefixSet {
	var b netipx.IPSetBuilder
	for _, list := range lists {
		for _, p := range list {
			b.AddPrefix(p)
		}
	}
	ips, _ := b.IPSet() // the error lists the invalid prefixes, which are left out
	rs := ips.Ranges()
	s := &prefixSet{ips: ips, v4: make([][2]uint32, 0, len(rs))}
	for _, r := range rs {
		if r.From().Is4() {
			s.v4 = append(s.v4, [2]uint32{v4(r.From()), v4(r.To())})
		}
	}
	return s
}

// v4 returns an IPv4 address as an integer.
func v4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// contains reports whether a lies in the set.
func (s *prefixSet) contains(a netip.Addr) bool {
	if s == nil {
		return false
	}
	if !a.Is4() {
		return s.ips.Contains(a)
	}
	x := v4(a)
	lo, hi := 0, len(s.v4)
	for lo < hi { // the first range ending at or after x
		m := int(uint(lo+hi) >> 1)
		if s.v4[m][1] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(s.v4) && s.v4[lo][0] <= x
}
