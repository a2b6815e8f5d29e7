// Package event holds the changes a scenario step or a diff plan makes to a
// network, and Apply, which makes them the way the platform would or
// refuses them with the platform's code.
//
// Each file holds one family of events, with each event's type, its fields
// and how it applies: peering.go (the peering lifecycle: create, update,
// delete, sync), addressspace.go, vnet.go, subnet.go, gateway.go, route.go,
// acl.go, vm.go and loadbalancer.go. apply.go is Apply and the
// copy-on-write transaction every event runs in; check.go is the check
// that refuses an event for the errors it would introduce, validating only
// the neighbourhood of what it touched.
//
// The package reads the model only: it imports topology, never the engine
// (sim) or the diff (sim/diff), which replays events.
package event
