package reports

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/netip"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology"
)

func TestDOT(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(n *topology.Network) // changes the loaded diagram.yaml
		trace bool
	}{
		{"plain", nil, false},
		{"trace-dropped", nil, true},
		{"disconnected", func(n *topology.Network) {
			// hub deleted its side: spoke1's object, once Connected, is Disconnected
			delete(n.VirtualNetworks["hub"].Peerings, "hub-to-spoke1")
			n.VirtualNetworks["spoke1"].Peerings["spoke1-to-hub"].Disconnected = true
			delete(n.VirtualNetworks, "spoke3")
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := loadDiagram(t)
			if tc.edit != nil {
				tc.edit(n)
			}
			opt := DiagramOptions{}
			if tc.trace {
				opt.Trace = traceFixture()
			}
			golden(t, "dot-"+tc.name, render(t, func(w *bytes.Buffer) error { return DOT(w, n, opt) }))
		})
	}
}

// hubSpokes builds an estate of one hub and spokes spokes, each peered
// both ways, without going through YAML.
func hubSpokes(spokes int) *topology.Network {
	n := &topology.Network{Name: "big", VirtualNetworks: map[string]*topology.VirtualNetwork{}}
	vnet := func(name string, prefix string) *topology.VirtualNetwork {
		v := &topology.VirtualNetwork{Name: name, AddressSpace: []netip.Prefix{netip.MustParsePrefix(prefix)},
			Subnets: map[string]*topology.Subnet{}, VirtualMachines: map[string]*topology.VirtualMachine{},
			LoadBalancers: map[string]*topology.LoadBalancer{}, Peerings: map[string]*topology.Peering{}}
		s := &topology.Subnet{Name: "app", VirtualNetwork: v, AddressPrefix: v.AddressSpace[0]}
		v.Subnets["app"] = s
		v.VirtualMachines["vm-"+name] = &topology.VirtualMachine{Name: "vm-" + name, Subnet: s, IPAddress: v.AddressSpace[0].Addr().Next().Next().Next().Next(), Running: true}
		n.VirtualNetworks[name] = v
		return v
	}
	hub := vnet("hub", "10.0.0.0/16")
	for i := range spokes {
		name := fmt.Sprintf("spoke%03d", i)
		s := vnet(name, fmt.Sprintf("10.%d.%d.0/24", 1+i/256, i%256))
		hub.Peerings["hub-to-"+name] = &topology.Peering{Name: "hub-to-" + name, RemoteVirtualNetwork: name, AllowVirtualNetworkAccess: true}
		if i%50 != 7 { // a few one-sided peerings, so the group counts states
			s.Peerings[name+"-to-hub"] = &topology.Peering{Name: name + "-to-hub", RemoteVirtualNetwork: "hub", AllowVirtualNetworkAccess: true}
		}
	}
	return n
}

// Large estates fold each hub's spokes into one node with counts; small
// ones never fold.
func TestDOTFoldsLargeEstates(t *testing.T) {
	for _, tc := range []struct {
		name     string
		spokes   int
		fold     int
		clusters int
		group    bool
	}{
		{"small estate drawn in full", 5, 0, 6, false},
		{"above the default limit folds", 200, 0, 1, true},
		{"negative limit never folds", 200, -1, 201, false},
		{"lower limit folds", 5, 3, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := DOT(&b, hubSpokes(tc.spokes), DiagramOptions{FoldAbove: tc.fold}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if got := strings.Count(out, "subgraph cluster_"); got != tc.clusters {
				t.Errorf("%d clusters, want %d", got, tc.clusters)
			}
			if got := strings.Contains(out, `"group:hub"`); got != tc.group {
				t.Errorf("group node present = %v, want %v", got, tc.group)
			}
		})
	}
	t.Run("group counts states", func(t *testing.T) {
		var b bytes.Buffer
		if err := DOT(&b, hubSpokes(200), DiagramOptions{}); err != nil {
			t.Fatal(err)
		}
		if want := `200 spokes of hub\n196 Connected, 4 Initiated`; !strings.Contains(b.String(), want) {
			t.Errorf("group label does not contain %q:\n%s", want, b.String())
		}
	})
}

// graphviz turns the DOT into the same SVG every time, and a PNG that
// decodes.
func TestRenderImage(t *testing.T) {
	if testing.Short() {
		t.Skip("graphviz in WebAssembly takes a few seconds")
	}
	n := loadDiagram(t)
	var dot bytes.Buffer
	if err := DOT(&dot, n, DiagramOptions{Trace: traceFixture()}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	svg := render(t, func(w *bytes.Buffer) error { return RenderImage(ctx, w, dot.Bytes(), SVG) })
	s := string(svg)
	if !strings.Contains(s, "<svg") || !strings.Contains(s, "nva1") || strings.Contains(s, "<!--") {
		t.Errorf("unexpected SVG:\n%.500s", s)
	}
	var p bytes.Buffer
	if err := RenderImage(ctx, &p, dot.Bytes(), PNG); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&p)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Errorf("PNG is only %v", b)
	}
	if err := RenderImage(ctx, &p, []byte("digraph {"), SVG); err == nil {
		t.Error("broken DOT rendered without an error")
	}
}

// The 500-spoke estate, folded, renders to SVG. BenchmarkRenderSVG
// measures how long it takes.
func TestRender500SpokesFolded(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a large estate")
	}
	var dot, svg bytes.Buffer
	if err := DOT(&dot, hubSpokes(500), DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := RenderImage(context.Background(), &svg, dot.Bytes(), SVG); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkRenderSVG(b *testing.B) {
	for _, tc := range []struct {
		spokes, fold int
	}{{50, 0}, {500, 0}, {500, -1}} {
		b.Run(fmt.Sprintf("spokes=%d/fold=%d", tc.spokes, tc.fold), func(b *testing.B) {
			n := hubSpokes(tc.spokes)
			b.ReportAllocs()
			for b.Loop() {
				var dot bytes.Buffer
				if err := DOT(&dot, n, DiagramOptions{FoldAbove: tc.fold}); err != nil {
					b.Fatal(err)
				}
				if err := RenderImage(context.Background(), &bytes.Buffer{}, dot.Bytes(), SVG); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A generated estate of 2 hubs × 300 spokes folds into two group nodes and
// renders to SVG.
func TestGeneratedEstateFolds(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a large estate")
	}
	n := topology.Generate(topology.GenerateOptions{Hubs: 2, Spokes: 300})
	var dot, svg bytes.Buffer
	if err := DOT(&dot, n, DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(dot.String(), "subgraph cluster_"); got != 2 {
		t.Errorf("%d clusters, want the 2 hubs", got)
	}
	if got := strings.Count(dot.String(), `"group:`); got < 2 {
		t.Errorf("group nodes appear %d times, want both hubs' groups", got)
	}
	if err := RenderImage(context.Background(), &svg, dot.Bytes(), SVG); err != nil {
		t.Fatal(err)
	}
}
