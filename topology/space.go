package topology

import "net/netip"

// An address space is a list of ranges, as a VNet's addressSpace, an
// on-premises site's or the ranges an azure peering has synced. The
// questions below are asked of such short lists, on the walk's hot path
// among others: they loop over the ranges rather than build a
// netipx.IPSet, which would allocate for each question, and they answer
// about single ranges (a subnet must lie in one range of its VNet, not
// across two adjacent ones) or name the ranges they found.

// SpaceContains reports whether a lies in one of the ranges of space.
func SpaceContains(space []netip.Prefix, a netip.Addr) bool {
	for _, p := range space {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// SpaceHolds reports whether one range of space holds all of p.
func SpaceHolds(space []netip.Prefix, p netip.Prefix) bool {
	for _, s := range space {
		if s.Bits() <= p.Bits() && s.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// SpacesOverlap returns the indexes of the first range of a, in order,
// that overlaps a range of b, and of the first such range of b.
func SpacesOverlap(a, b []netip.Prefix) (i, j int, ok bool) {
	for i, x := range a {
		for j, y := range b {
			if x.Overlaps(y) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}
