package topology

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkValidate measures Validate on generated estates; the simulator
// runs it after every event, so it must stay near-linear in size.
func BenchmarkValidate(b *testing.B) {
	for _, size := range []struct{ hubs, spokes int }{{1, 200}, {20, 500}} {
		n := Generate(GenerateOptions{Hubs: size.hubs, Spokes: size.spokes})
		b.Run(fmt.Sprintf("hubs=%d/spokes=%d", size.hubs, size.spokes), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Validate(n)
			}
		})
	}
}

// TestValidateLargeEstate checks that a 10,000-spoke estate validates clean
// and in bounded time (generous, for a shared 2-core machine).
func TestValidateLargeEstate(t *testing.T) {
	if testing.Short() {
		t.Skip("large estate")
	}
	n := Generate(GenerateOptions{Hubs: 20, Spokes: 500})
	start := time.Now()
	ds := Validate(n)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Validate took %v on %d VNets", d, len(n.VirtualNetworks))
	}
	if len(ds) > 0 {
		t.Errorf("generated estate is not clean: %d diagnostics, first %s: %s", len(ds), ds[0].Code, ds[0].Message())
	}
}
