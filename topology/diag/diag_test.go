package diag

import (
	"slices"
	"testing"
)

// Without drops the diagnostics other holds by code, path and summary,
// whatever their position or detail, and keeps the rest in order.
func TestWithout(t *testing.T) {
	a := Errorf(UnknownField, P("x"), "x: unknown field")
	b := Errorf(SubnetOverlap, P("virtualNetworks", "v", "subnets", "s"), "subnet v/s overlaps")
	c := Warningf(NonCanonicalPrefix, P("y"), "y has host bits")
	again := b.At(Range{Filename: "f", Start: Pos{Line: 3, Column: 1}}).WithDetail("another detail")
	otherPath := Errorf(UnknownField, P("z"), "x: unknown field")
	got := Diagnostics{a, b, c}.Without(Diagnostics{again, otherPath})
	if want := (Diagnostics{a, c}); !slices.EqualFunc(got, want, func(x, y Diagnostic) bool { return x.Code == y.Code && x.Path.Key() == y.Path.Key() }) {
		t.Errorf("Without = %v, want %v", got, want)
	}
	if got := (Diagnostics{}).Without(Diagnostics{a}); got != nil {
		t.Errorf("an empty list without anything = %v, want nil", got)
	}
}
