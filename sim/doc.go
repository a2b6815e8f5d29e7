// Package sim is stage two: it takes a resolved *topology.Network and
// answers peering, route, trace and reachability questions, checks the
// semantic rules that need the engine, and applies events. It reads no
// files and formats nothing.
package sim
