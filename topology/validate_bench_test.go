package topology

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology/diag"
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

// TestValidateGrowsLinearly checks that Validate's allocations grow with
// the estate, not with pairs of VNets: a hub with four times the spokes
// may allocate at most five times as much (a log factor for the sorts).
// Allocations, unlike time, do not depend on the machine's load;
// BenchmarkValidate measures the time on 10,020 VNets.
func TestValidateGrowsLinearly(t *testing.T) {
	cost := func(spokes int) uint64 {
		n := Generate(GenerateOptions{Hubs: 2, Spokes: spokes})
		var ds []diag.Diagnostic
		got := allocated(func() { ds = Validate(n) })
		if len(ds) > 0 {
			t.Fatalf("generated estate of 2 × %d spokes is not clean: %d diagnostics, first %s: %s", spokes, len(ds), ds[0].Code, ds[0].Message())
		}
		return got
	}
	small, large := cost(100), cost(400)
	if large > 5*small {
		t.Errorf("Validate allocated %d bytes for 2 × 100 spokes and %d for 2 × 400: more than linear", small, large)
	}
}

// BenchmarkLoadLarge measures Check on a written hub with many spokes, each
// peered both ways with a subnet, a VM and a shared route table.
func BenchmarkLoadLarge(b *testing.B) {
	for _, spokes := range []int{200, 2000} {
		data := largeHubSpoke(spokes)
		b.Run(fmt.Sprintf("spokes=%d", spokes), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if n, _, ds := Check("large.yaml", data); n == nil || len(ds) > 0 {
					b.Fatalf("large estate does not check clean: %d diagnostics", len(ds))
				}
			}
		})
	}
}

func largeHubSpoke(spokes int) []byte {
	var sb strings.Builder
	sb.WriteString("name: large\nnetworkController: nc1\nvirtualNetworks:\n  hub:\n    addressSpace: [100.64.0.0/16]\n")
	sb.WriteString("    subnets: {nva: {addressPrefix: 100.64.1.0/24}}\n")
	sb.WriteString("    virtualMachines: {nva1: {subnet: nva, ipAddress: 100.64.1.4, ipForwarding: true}}\n    peerings:\n")
	for i := range spokes {
		fmt.Fprintf(&sb, "      hub-to-s%d: {remoteVirtualNetwork: s%d, allowForwardedTraffic: true}\n", i, i)
	}
	for i := range spokes {
		fmt.Fprintf(&sb, "  s%d:\n    addressSpace: [10.%d.%d.0/24]\n", i, i/256, i%256)
		fmt.Fprintf(&sb, "    subnets: {app: {addressPrefix: 10.%d.%d.0/26, routeTable: rt}}\n", i/256, i%256)
		fmt.Fprintf(&sb, "    virtualMachines: {vm%d: {subnet: app, ipAddress: 10.%d.%d.4}}\n", i, i/256, i%256)
		fmt.Fprintf(&sb, "    peerings: {s%d-to-hub: {remoteVirtualNetwork: hub}}\n", i)
	}
	sb.WriteString("routeTables:\n  rt:\n    routes: [{name: via-nva, addressPrefix: 10.0.0.0/8, nextHopType: VirtualAppliance, nextHopIpAddress: 100.64.1.4}]\n")
	return []byte(sb.String())
}

// BenchmarkValidateOverlaps measures Check on sets of overlapping objects:
// one VNet with n subnets of one prefix, and a hub with n spokes of one
// address space. Checked by pairs, 1,000 of them cost 499,500 diagnostics.
func BenchmarkValidateOverlaps(b *testing.B) {
	for _, n := range []int{250, 1000} {
		for _, tc := range []struct {
			name string
			data []byte
		}{{"subnets", identicalSubnets(n)}, {"spokes", identicalSpokes("windows-sdn", n)}} {
			b.Run(fmt.Sprintf("%s=%d", tc.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					Check("t.yaml", tc.data)
				}
			})
		}
	}
}
