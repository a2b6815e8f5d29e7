package sim

import (
	"net/netip"
	"slices"
)

// prefixIndex finds the values stored under the prefixes that contain an
// address. It keeps one map per prefix length in use, so a lookup costs one
// map probe per distinct length rather than a walk over every prefix.
// The zero value is an empty index.
type prefixIndex[T any] struct {
	m    map[netip.Prefix][]T
	lens [2][]int // per family (0: IPv4, 1: IPv6), longest first
}

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
	if x.m == nil {
		x.m = make(map[netip.Prefix][]T)
	}
	x.m[p] = append(x.m[p], v)
	f := family(p.Addr())
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
	for _, l := range x.lens[family(a)] {
		p, err := a.Prefix(l)
		if err != nil {
			continue
		}
		if vs, ok := x.m[p]; ok {
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
		out = append(out, x.m[p]...)
	}
	return out
}

// prefixSet is an immutable set of addresses given as prefixes.
type prefixSet struct {
	idx prefixIndex[struct{}]
}

func newPrefixSet(ps ...[]netip.Prefix) *prefixSet {
	s := &prefixSet{}
	for _, list := range ps {
		for _, p := range list {
			s.idx.add(p, struct{}{})
		}
	}
	return s
}

// contains reports whether a lies in the set.
func (s *prefixSet) contains(a netip.Addr) bool {
	if s == nil {
		return false
	}
	vs, _ := s.idx.longest(a)
	return vs != nil
}

// containsAny reports whether a lies in any of ps.
func containsAny(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
