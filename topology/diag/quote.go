package diag

import (
	"strconv"
	"unicode/utf8"
)

// MaxQuoted is how many characters of a value read from a file a message
// quotes. A YAML scalar can hold a whole file, and messages end up in
// reports that are shared (SARIF, JUnit, JSON), so a message carries an
// excerpt at most.
const MaxQuoted = 40

// Quote returns s quoted as %q writes it (control characters escaped), cut
// to MaxQuoted characters with "…" before the closing quote when longer.
// Messages quote every value they take from a file with it.
func Quote(s string) string {
	if utf8.RuneCountInString(s) <= MaxQuoted {
		return strconv.Quote(s)
	}
	end, n := 0, 0
	for i := range s {
		if n == MaxQuoted {
			end = i
			break
		}
		n++
	}
	q := strconv.Quote(s[:end])
	return q[:len(q)-1] + `…"`
}
