// Package sim is the engine, stage two: it takes a resolved
// *topology.Network and answers route, trace and reachability questions,
// and checks the rules that need the forwarding engine (Lint, and
// Validate, which adds them to the model's checks). It reads no files,
// formats nothing and never changes a network.
//
// Events and Apply live in sim/event, the pre-change review in sim/diff;
// both use this package only through its exported API, which for a diff
// is mainly ReachView.
package sim
