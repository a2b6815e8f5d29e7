package reports

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text from a file (a source line, a name, a description, a message that
// quotes one) reaches terminals, CI logs and Markdown renderers; these
// functions keep it from acting on them.

// escapeRune returns how printable shows r: "" when r prints as itself,
// else an escape in Go's notation. C0 and C1 controls (but for tab and
// newline) and DEL are escaped so that a file cannot drive a terminal
// (ESC sequences, BEL); so are the bidirectional formatting characters,
// which can make a line read differently from what it holds.
func escapeRune(r rune) string {
	switch {
	case r == '\t' || r == '\n':
		return ""
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x%02x`, r)
	case r >= 0x80 && r <= 0x9f,
		r == 0x061c, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return fmt.Sprintf(`\u%04x`, r)
	}
	return ""
}

// printable returns s with control and bidirectional formatting characters
// escaped (see escapeRune) and each byte that is not UTF-8 as \xNN. Tab and
// newline are kept.
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case escapeRune(r) != "":
			b.WriteString(escapeRune(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// snippetWidth is how many characters of a source line a snippet shows at
// most: a longer line is cut to a window around the column.
const snippetWidth = 120

// snippet returns the part of a source line a diagnostic quotes: the whole
// line when it has at most snippetWidth characters, else snippetWidth
// characters around column col (1-based, in characters; centred unless
// near an end), with "…" where the line was cut. Characters are escaped
// as printable does. indent is the blank space (tabs kept) that puts a
// caret under col.
func snippet(line string, col int) (text, indent string) {
	// Only the window's characters are decoded and escaped: a minified
	// export is one line of megabytes, quoted once per diagnostic.
	n := utf8.RuneCountInString(line)
	at := min(max(col-1, 0), n)
	lo := min(max(at-snippetWidth/2, 0), max(n-snippetWidth, 0))
	hi := min(lo+snippetWidth, n)
	var t, ind strings.Builder
	if lo > 0 {
		t.WriteString("…")
		ind.WriteByte(' ')
	}
	k := 0 // the character at byte i
	for i, r := range line {
		if k >= hi {
			break
		}
		if k >= lo {
			size := utf8.RuneLen(r)
			if r == utf8.RuneError {
				_, size = utf8.DecodeRuneInString(line[i:])
			}
			c := printable(line[i : i+size])
			t.WriteString(c)
			switch {
			case k >= at:
			case r == '\t':
				ind.WriteByte('\t')
			default:
				ind.WriteString(strings.Repeat(" ", utf8.RuneCountInString(c)))
			}
		}
		k++
	}
	if hi < n {
		t.WriteString("…")
	}
	return t.String(), ind.String()
}

// mdText makes s plain text in Markdown, for a table cell or a paragraph:
// characters escaped as printable does, lines joined with spaces, and
// everything that could start markup escaped: emphasis, code, links,
// images, tables, strikethrough and raw HTML anywhere (< > & become
// entities), and headings, lists, quotes and thematic breaks at the start.
func mdText(s string) string {
	s = strings.Join(strings.Fields(printable(s)), " ")
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case strings.ContainsRune("\\`*_[]|~", r),
			i == 0 && strings.ContainsRune("#+-=", r),
			i > 0 && (r == '.' || r == ')') && isDigits(s[:i]):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

// mdCode returns s as a Markdown code span on one line: a fence of more
// backticks than s holds in a row, so that s cannot close it, and escaped
// characters as printable shows them.
func mdCode(s string) string {
	s = strings.Join(strings.Fields(printable(s)), " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdCell is mdCode for a table cell, where GitHub's tables need | escaped
// even inside code.
func mdCell(s string) string { return strings.ReplaceAll(mdCode(s), "|", `\|`) }
