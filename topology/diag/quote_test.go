package diag

import (
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"hub", `"hub"`},
		{"a\x1b[31mb\n", `"a\x1b[31mb\n"`},
		{strings.Repeat("x", MaxQuoted), `"` + strings.Repeat("x", MaxQuoted) + `"`},
		{strings.Repeat("x", MaxQuoted) + "SECRET", `"` + strings.Repeat("x", MaxQuoted) + `…"`},
		{strings.Repeat("é", MaxQuoted+1), `"` + strings.Repeat("é", MaxQuoted) + `…"`},
	} {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
