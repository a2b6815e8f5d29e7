package reports

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/internal/buildinfo"
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
	return writeListing(w, "text", r)
}

// writeListing writes every pair of r through a ReachListing.
func writeListing(w io.Writer, format string, r *sim.Reach) error {
	l := NewReachListing(w, format, r.Level)
	for _, p := range r.Pairs {
		if err := l.Pair(p); err != nil {
			return err
		}
	}
	return l.Close(r)
}

func writeReachCounts(ew *errWriter, r *sim.Reach) {
	c := r.Counts
	ew.printf("%d pairs (level %s): %d all, %d some, %d none\n", c.All+c.Some+c.None, r.Level, c.All, c.Some, c.None)
}

func writeMatrix(ew *errWriter, pairs []sim.ReachPair, names []string) {
	cell := map[[2]string]sim.Outcome{}
	for _, p := range pairs {
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
	gaps := false // a cell off the diagonal that no pair fills
	for i, from := range names {
		ew.printf("%*d  %-*s  ", num, i+1, width, from)
		for _, to := range names {
			mark := "·"
			if o, ok := cell[[2]string{from, to}]; ok {
				mark = outcomeMark(o)
			} else if from != to {
				gaps = true
			}
			ew.printf(" %*s", num, mark)
		}
		ew.print("\n")
	}
	if gaps {
		ew.print("\n✓ all  ~ some  ✗ none  · not asked (the endpoint itself, or subnets of different address families)\n")
	} else {
		ew.print("\n✓ all  ~ some  ✗ none  · not asked (the endpoint itself)\n")
	}
	var bad []sim.ReachPair
	for _, p := range pairs {
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
		writePairLine(ew, p)
	}
}

func writePairLine(ew *errWriter, p sim.ReachPair) {
	ew.printf("%s → %s: %s", p.From, p.To, p.Result)
	if p.Reason != "" {
		ew.printf(" [%s]", p.Reason)
	}
	if p.Explanation != "" && p.Result != sim.OutcomeAll {
		// A VNet pair's explanation is its example subnet pair's: name it,
		// since other subnets of the pair may fare otherwise.
		if ex := p.Example; ex != nil && (ex.From != p.From || ex.To != p.To) {
			ew.printf(": e.g. %s → %s", ex.From, ex.To)
		}
		ew.printf(": %s", p.Explanation)
	}
	ew.print("\n")
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
		out = append(out, reachPairJSON(p))
	}
	return out
}

func reachPairJSON(p sim.ReachPair) jsonReachPair {
	return jsonReachPair{p.From, p.To, p.Result.String(), string(p.Reason), p.Explanation}
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
	return writeListing(w, "json", r)
}

// ReachCSV writes one row per pair (from, to, result, reason, explanation)
// under a header; with a summary, the example pairs.
func ReachCSV(w io.Writer, r *sim.Reach, summary bool) error {
	if r == nil {
		return errNothing("reachability")
	}
	if !summary {
		return writeListing(w, "csv", r)
	}
	cw := csv.NewWriter(w)
	rows := [][]string{reachCSVHeader}
	for _, p := range r.Examples {
		rows = append(rows, reachCSVRow(p))
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

var reachCSVHeader = []string{"from", "to", "result", "reason", "explanation"}

func reachCSVRow(p sim.ReachPair) []string {
	return []string{p.From, p.To, p.Result.String(), string(p.Reason), p.Explanation}
}

// ReachListing writes a reach listing, every pair rather than a summary,
// pair by pair as the pairs arrive (sim.Engine.ReachEach), so that
// millions of pairs go to the writer without the document ever being held
// in memory. Pair writes one pair; Close writes what follows the pairs
// (the counts, in text) and flushes. ReachText, ReachJSON and ReachCSV
// write their listings through it, so a streamed listing is byte for byte
// the one they write.
//
// Text holds the first pairs back while they could still be drawn as a
// matrix (at most MatrixLimit endpoints), then lists them.
type ReachListing struct {
	w      *bufio.Writer
	ew     *errWriter
	format string
	level  sim.Level
	pairs  int
	// held are the text pairs kept for a matrix, and names their
	// endpoints; listing reports that there are too many for one.
	held    []sim.ReachPair
	names   map[string]bool
	listing bool
	csv     *csv.Writer
	js      *jsonStream
}

// NewReachListing returns a listing writer for format, which is text, json
// or csv (anything else writes text), at level.
func NewReachListing(w io.Writer, format string, level sim.Level) *ReachListing {
	bw := bufio.NewWriter(w)
	l := &ReachListing{w: bw, ew: &errWriter{w: bw}, format: format, level: level, names: map[string]bool{}}
	switch format {
	case "csv":
		l.csv = csv.NewWriter(bw)
	case "json":
		l.js = newJSONStream(w)
	}
	return l
}

// Pair writes one pair; pairs must come in the order they are listed.
func (l *ReachListing) Pair(p sim.ReachPair) error {
	first := l.pairs == 0
	l.pairs++
	switch l.format {
	case "json":
		if first {
			l.jsonHead()
		}
		l.js.value(reachPairJSON(p))
		return l.js.err
	case "csv":
		if first {
			l.csvRow(reachCSVHeader)
		}
		l.csvRow(reachCSVRow(p))
		return l.csvErr()
	default:
		if l.listing {
			writePairLine(l.ew, p)
			break
		}
		l.held = append(l.held, p)
		l.names[p.From], l.names[p.To] = true, true
		if len(l.names) > MatrixLimit {
			l.listing = true
			writePairList(l.ew, l.held)
			l.held = nil
		}
	}
	return l.ew.err
}

// Close writes the end of the listing of r, whose counts text prints, and
// flushes it.
func (l *ReachListing) Close(r *sim.Reach) error {
	switch l.format {
	case "json":
		if l.pairs == 0 {
			l.jsonHead()
		}
		l.js.close("]")
		l.js.close("}")
		return l.js.finish()
	case "csv":
		if l.pairs == 0 {
			l.csvRow(reachCSVHeader)
		}
		if err := l.csvErr(); err != nil {
			return err
		}
	default:
		if !l.listing && len(l.names) > 0 {
			writeMatrix(l.ew, l.held, slices.Sorted(maps.Keys(l.names)))
		}
		l.ew.print("\n")
		writeReachCounts(l.ew, r)
	}
	if l.ew.err != nil {
		return l.ew.err
	}
	return l.w.Flush()
}

// jsonHead opens the document, up to the pairs' opening bracket.
func (l *ReachListing) jsonHead() {
	l.js.open("{")
	l.js.member("version", buildinfo.Version())
	l.js.member("level", l.level.String())
	l.js.key("pairs")
	l.js.open("[")
}

func (l *ReachListing) csvRow(row []string) {
	if l.ew.err == nil {
		l.ew.err = l.csv.Write(row)
	}
}

func (l *ReachListing) csvErr() error {
	if l.ew.err == nil {
		l.csv.Flush()
		l.ew.err = l.csv.Error()
	}
	if l.ew.err != nil {
		return fmt.Errorf("write csv: %w", l.ew.err)
	}
	return nil
}
