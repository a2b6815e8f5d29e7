package diag

import (
	"strings"
	"unicode/utf8"
)

// Suggest returns the candidate that word most likely misspells, for a
// "did you mean" hint, or "" when none is close enough. A candidate is
// close when it differs from word only in letter case, when one of the two
// begins with the other (at least four letters: "remote" for
// "remoteVirtualNetwork"), or when it is at most a third of its length
// away in edits (insertions, deletions, substitutions and swaps of two
// neighbouring letters, compared without case). The closest wins; among
// equals, the first in candidates.
func Suggest(word string, candidates []string) string {
	if word == "" {
		return ""
	}
	lw := strings.ToLower(word)
	best, bestDist := "", -1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if c == word || lc == "" {
			continue
		}
		var d int
		switch {
		case lc == lw:
			d = 0
		case len(lw) >= 4 && strings.HasPrefix(lc, lw), len(lc) >= 4 && strings.HasPrefix(lw, lc):
			d = 1
		default:
			d = EditDistance(lw, lc)
			if d > max(1, utf8.RuneCountInString(lc)/3) {
				continue
			}
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// EditDistance returns the optimal string alignment distance between a and b:
// the edits of the Levenshtein distance plus swapping two neighbouring
// runes, the commonest typing slip ("adressSpace", "addresSapce").
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows of the dynamic programme: two back, one back, current.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
