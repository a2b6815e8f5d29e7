package diff

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Violation is a change the platform would refuse as a direct edit, or an
// error the after-file introduces.
type Violation struct {
	Code    diag.Code
	Message string
	Path    diag.Path
	Subject diag.Range
	// ResolvedByPlan reports that the edit is not forbidden but needs extra
	// steps that the plan includes (azure syncPeering); such a violation
	// does not fail the diff.
	ResolvedByPlan bool

	kind ChangeKind // Removed when Path is in the before-file
}

// Fails reports whether v makes the diff fail (exit 1).
func (v Violation) Fails() bool { return !v.ResolvedByPlan }

// addressSpaceViolations returns the direct-edit refusals of address-space
// changes on VNets that are peered in both files (docs/semantics.md#address-space-changes): windows-sdn
// refuses the edit (address-space-locked); azure accepts it but needs
// syncPeering on each peer (diag.PeeringSyncRequired, resolved by the plan).
func addressSpaceViolations(before, after *topology.Network) []Violation {
	rules := after.Platform.Rules()
	var out []Violation
	for _, a := range after.SortedVirtualNetworks() {
		b := before.VirtualNetworks[a.Name]
		if b == nil {
			continue
		}
		added, removed := prefixDelta(b.AddressSpace, a.AddressSpace)
		if len(added)+len(removed) == 0 {
			continue
		}
		v := Violation{Code: diag.PeeringSyncRequired, ResolvedByPlan: true}
		var peers []string
		var say func(c prefixChange) string
		switch {
		case rules.AddressSpaceLockedWhilePeered:
			// Only a peer in both files makes the edit a forbidden one: the
			// plan must delete that peering and re-create it. A peering the
			// after-file removes goes before the space changes and one it
			// adds comes after, which the platform accepts as they are.
			peersAfter := peersOf(after, a.Name)
			peers = slices.DeleteFunc(peersOf(before, b.Name), func(x string) bool { return !slices.Contains(peersAfter, x) })
			v = Violation{Code: diag.AddressSpaceLocked}
			say = func(c prefixChange) string {
				return fmt.Sprintf("virtual network %s: %s address range %s while peered with %s is refused; the plan deletes the peerings, changes the range and re-creates them",
					a.Name, c.verb, c.prefix, joinNames(peers))
			}
		case rules.PeeringSync:
			peers = slices.DeleteFunc(connectedPeers(before, b.Name), func(x string) bool { return !after.Connected(a.Name, x) })
			say = func(c prefixChange) string {
				return fmt.Sprintf("virtual network %s: %s address range %s leaves the peerings with %s not in sync until syncPeering runs on each peer's object toward %s; the plan includes the syncs",
					a.Name, c.verb, c.prefix, joinNames(peers), a.Name)
			}
		}
		if len(peers) == 0 {
			continue
		}
		for _, c := range prefixChanges(a, b, added, removed) {
			v.Path, v.kind, v.Message = c.path, c.kind, say(c)
			out = append(out, v)
		}
	}
	return out
}

// prefixChange is one address range added to or removed from a VNet, with
// its path in the file that holds it.
type prefixChange struct {
	kind   ChangeKind
	verb   string // "adding" or "removing"
	prefix netip.Prefix
	path   diag.Path
}

func prefixChanges(a, b *topology.VirtualNetwork, added, removed []netip.Prefix) []prefixChange {
	var out []prefixChange
	for _, p := range added {
		out = append(out, prefixChange{Added, "adding", p, diag.P("virtualNetworks", a.Name, "addressSpace").Index(slices.Index(a.AddressSpace, p))})
	}
	for _, p := range removed {
		out = append(out, prefixChange{Removed, "removing", p, diag.P("virtualNetworks", b.Name, "addressSpace").Index(slices.Index(b.AddressSpace, p))})
	}
	return out
}

// prefixDelta returns the ranges only in after and those only in before,
// each in its file's order.
func prefixDelta(before, after []netip.Prefix) (added, removed []netip.Prefix) {
	for _, p := range after {
		if !slices.Contains(before, p) {
			added = append(added, p)
		}
	}
	for _, p := range before {
		if !slices.Contains(after, p) {
			removed = append(removed, p)
		}
	}
	return added, removed
}

// peersOf returns, sorted, the VNets that vnet owns a peering object
// toward or that own one toward vnet: what locks its address space on
// windows-sdn.
func peersOf(n *topology.Network, vnet string) []string {
	out := slices.Sorted(n.Peers(vnet))
	return slices.Compact(out)
}

// connectedPeers returns, sorted, the VNets that vnet is Connected with.
func connectedPeers(n *topology.Network, vnet string) []string {
	v := n.VirtualNetworks[vnet]
	if v == nil {
		return nil
	}
	var out []string
	for _, p := range v.SortedPeerings() {
		if n.Connected(vnet, p.RemoteVirtualNetwork) && !slices.Contains(out, p.RemoteVirtualNetwork) {
			out = append(out, p.RemoteVirtualNetwork)
		}
	}
	slices.Sort(out)
	return out
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return fmt.Sprintf("%s and %s", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}

// introducedErrors splits the after-file's errors into those it introduces
// and those the before-file already had: an error is preexisting when the
// before-file has an error with the same code at the same object. Objects
// are compared by identity, not position: a route, an ACL rule or an
// address range is named by its name or prefix rather than its index, so
// inserting a route above a broken one does not make it new.
func introducedErrors(bn, an *topology.Network, before, after diag.Diagnostics) (introduced, preexisting []Violation) {
	had := make(map[string]bool)
	for _, d := range before {
		if d.Severity == diag.Error {
			for _, p := range d.Paths() {
				had[string(d.Code)+"\x01"+identity(bn, p)] = true
			}
		}
	}
	seen := make(map[string]bool)
	for _, d := range after {
		key := string(d.Code) + "\x01" + identity(an, d.Path)
		if d.Severity != diag.Error || seen[key+"\x01"+d.Summary] {
			continue
		}
		seen[key+"\x01"+d.Summary] = true
		v := Violation{Code: d.Code, Message: d.Message(), Path: d.Path, Subject: d.Subject}
		// A diagnostic for a set of objects is introduced when any object
		// of the set did not have the error before.
		if !slices.ContainsFunc(d.Paths(), func(p diag.Path) bool { return !had[string(d.Code)+"\x01"+identity(an, p)] }) {
			preexisting = append(preexisting, v)
		} else {
			introduced = append(introduced, v)
		}
	}
	return introduced, preexisting
}

// identity returns a key for the object at p that does not change when list
// items move: indexes of routes and ACL rules become their names, indexes
// of address ranges their prefixes.
func identity(n *topology.Network, p diag.Path) string {
	q := slices.Clone(p)
	if n != nil && len(q) >= 4 {
		i, err := strconv.Atoi(q[3])
		switch {
		case err != nil || i < 0:
		case q[0] == "routeTables" && q[2] == "routes":
			if rt := n.RouteTables[q[1]]; rt != nil && i < len(rt.Routes) {
				q[3] = "name=" + rt.Routes[i].Name
			}
		case q[0] == "accessControlLists" && q[2] == "rules":
			if a := n.AccessControlLists[q[1]]; a != nil && i < len(a.Rules) {
				q[3] = "name=" + a.Rules[i].Name
			}
		case (q[0] == "virtualNetworks" || q[0] == "onPremises") && q[2] == "addressSpace":
			var space []netip.Prefix
			if v := n.VirtualNetworks[q[1]]; q[0] == "virtualNetworks" && v != nil {
				space = v.AddressSpace
			} else if o := n.OnPremises[q[1]]; q[0] == "onPremises" && o != nil {
				space = o.AddressSpace
			}
			if i < len(space) {
				q[3] = "prefix=" + space[i].String()
			}
		}
	}
	return q.Key()
}
