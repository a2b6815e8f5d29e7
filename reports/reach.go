package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/sim"
)

// MatrixLimit is the most endpoints reach's text shows as a matrix; above
// it, a list of pairs reads better than a grid no terminal can hold.
const MatrixLimit = 16

// outcomeMark is a matrix cell.
func outcomeMark(o sim.Outcome) string {
	switch o {
	case sim.OutcomeAll:
		return "✓"
	case sim.OutcomeSome:
		return "~"
	case sim.OutcomeNone:
		return "✗"
	}
	return "?"
}

// ReachText writes reachability for people: a matrix with a legend for a
// few endpoints, else a list of every pair with its reason; with a summary
// only the counts and examples.
func ReachText(w io.Writer, r *sim.Reach, summary bool) error {
	if r == nil {
		return errNothing("reachability")
	}
	ew := &errWriter{w: w}
	if summary {
		writeReachCounts(ew, r)
		if len(r.Examples) > 0 {
			ew.print("\nexamples of pairs that are not all reachable:\n")
			writePairList(ew, r.Examples)
		}
		return ew.err
	}
	names := reachNames(r.Pairs)
	if len(names) <= MatrixLimit && len(names) > 0 {
		writeMatrix(ew, r, names)
	} else {
		writePairList(ew, r.Pairs)
	}
	ew.print("\n")
	writeReachCounts(ew, r)
	return ew.err
}

func writeReachCounts(ew *errWriter, r *sim.Reach) {
	c := r.Counts
	ew.printf("%d pairs (level %s): %d all, %d some, %d none\n", c.All+c.Some+c.None, r.Level, c.All, c.Some, c.None)
}

// reachNames returns every endpoint of the pairs, sorted.
func reachNames(pairs []sim.ReachPair) []string {
	var names []string
	for _, p := range pairs {
		names = append(names, p.From, p.To)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func writeMatrix(ew *errWriter, r *sim.Reach, names []string) {
	cell := map[[2]string]sim.Outcome{}
	for _, p := range r.Pairs {
		cell[[2]string{p.From, p.To}] = p.Result
	}
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	num := len(fmt.Sprint(len(names)))
	ew.printf("%*s  %s  ", num, "", strings.Repeat(" ", width))
	for i := range names {
		ew.printf(" %*d", num, i+1)
	}
	ew.print("   (to)\n")
	for i, from := range names {
		ew.printf("%*d  %-*s  ", num, i+1, width, from)
		for _, to := range names {
			mark := "·"
			if o, ok := cell[[2]string{from, to}]; ok {
				mark = outcomeMark(o)
			}
			ew.printf(" %*s", num, mark)
		}
		ew.print("\n")
	}
	ew.print("\n✓ all  ~ some  ✗ none  · not asked (the endpoint itself)\n")
	var bad []sim.ReachPair
	for _, p := range r.Pairs {
		if p.Result != sim.OutcomeAll {
			bad = append(bad, p)
		}
	}
	if len(bad) > 0 {
		ew.print("\n")
		writePairList(ew, bad)
	}
}

func writePairList(ew *errWriter, pairs []sim.ReachPair) {
	for _, p := range pairs {
		ew.printf("%s → %s: %s", p.From, p.To, p.Result)
		if p.Reason != "" {
			ew.printf(" [%s]", p.Reason)
		}
		if p.Explanation != "" && p.Result != sim.OutcomeAll {
			ew.printf(": %s", p.Explanation)
		}
		ew.print("\n")
	}
}

// The "reach" document of docs/reference/json.md.
type (
	jsonReach struct {
		Level string          `json:"level"`
		Pairs []jsonReachPair `json:"pairs"`
	}
	jsonReachSummary struct {
		Level    string          `json:"level"`
		Counts   jsonCounts      `json:"counts"`
		Examples []jsonReachPair `json:"examples"`
	}
	jsonCounts struct {
		All  int `json:"all"`
		Some int `json:"some"`
		None int `json:"none"`
	}
	jsonReachPair struct {
		From        string `json:"from"`
		To          string `json:"to"`
		Result      string `json:"result"`
		Reason      string `json:"reason"`
		Explanation string `json:"explanation,omitempty"`
	}
)

func reachPairsJSON(ps []sim.ReachPair) []jsonReachPair {
	out := make([]jsonReachPair, 0, len(ps))
	for _, p := range ps {
		out = append(out, jsonReachPair{p.From, p.To, p.Result.String(), string(p.Reason), p.Explanation})
	}
	return out
}

// ReachJSON writes the "reach" document of docs/reference/json.md, or with summary its
// summary form: counts and examples.
func ReachJSON(w io.Writer, r *sim.Reach, summary bool) error {
	if r == nil {
		return errNothing("reachability")
	}
	if summary {
		return WriteDocument(w, jsonReachSummary{
			Level:    r.Level.String(),
			Counts:   jsonCounts{r.Counts.All, r.Counts.Some, r.Counts.None},
			Examples: reachPairsJSON(r.Examples),
		})
	}
	return WriteDocument(w, jsonReach{Level: r.Level.String(), Pairs: reachPairsJSON(r.Pairs)})
}

// ReachCSV writes one row per pair (from, to, result, reason, explanation)
// under a header; with a summary, the example pairs.
func ReachCSV(w io.Writer, r *sim.Reach, summary bool) error {
	if r == nil {
		return errNothing("reachability")
	}
	cw := csv.NewWriter(w)
	rows := [][]string{{"from", "to", "result", "reason", "explanation"}}
	pairs := r.Pairs
	if summary {
		pairs = r.Examples
	}
	for _, p := range pairs {
		rows = append(rows, []string{p.From, p.To, p.Result.String(), string(p.Reason), p.Explanation})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
