// Package scenarios is stage three: it reads scenario files (a topology plus
// ordered steps of events and expectations), runs them through sim, and
// returns a Result per scenario. It also embeds the built-in training labs.
// It formats nothing; reports renders Results.
package scenarios
