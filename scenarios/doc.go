// Package scenarios is stage three: it reads scenario files (a topology plus
// ordered steps of events and expectations), runs them through sim, and
// returns a Result per scenario. It also embeds the built-in training labs.
// It formats nothing; reports renders Results.
//
// Input → output:
//
//	Parse, ParseFile, ParseFS   scenario YAML → *Scenario (topology loaded), diag.Diagnostics
//	Run                         *Scenario → ScenarioResult (per step: events, checks, score)
//	RunFiles                    files and folders → *Result, in a deterministic order
//	Encode                      *Scenario → scenario YAML (diff plans become runnable scenarios)
//	Labs, LoadLab, LabFiles     the embedded labs: list, parse, their files
//
// Events are event.Event values applied with event.Apply; expectations are the
// Expectation types of this package. Decisions the contract leaves open are
// in docs/decisions.md, "Events, the peering state machine, scenarios and
// labs".
package scenarios
