package reports

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/sim"
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

// shapeEstate builds VNets of one subnet each, peered both ways as pairs
// says, and one VNet "big" with vms VMs.
func shapeEstate(vnets int, pairs func(i, j int) bool, vms int) *topology.Network {
	n := &topology.Network{Name: "shape", VirtualNetworks: map[string]*topology.VirtualNetwork{}}
	name := func(i int) string { return fmt.Sprintf("v%05d", i) }
	add := func(name string, p netip.Prefix) *topology.VirtualNetwork {
		v := &topology.VirtualNetwork{Name: name, AddressSpace: []netip.Prefix{p}, Subnets: map[string]*topology.Subnet{},
			VirtualMachines: map[string]*topology.VirtualMachine{}, LoadBalancers: map[string]*topology.LoadBalancer{}, Peerings: map[string]*topology.Peering{}}
		v.Subnets["s"] = &topology.Subnet{Name: "s", VirtualNetwork: v, AddressPrefix: p}
		n.VirtualNetworks[name] = v
		return v
	}
	for i := range vnets {
		add(name(i), netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24))
	}
	for i := range vnets {
		for j := i + 1; j < vnets; j++ {
			if pairs(i, j) {
				a, b := n.VirtualNetworks[name(i)], n.VirtualNetworks[name(j)]
				a.Peerings["to-"+b.Name] = &topology.Peering{Name: "to-" + b.Name, RemoteVirtualNetwork: b.Name, AllowVirtualNetworkAccess: true}
				b.Peerings["to-"+a.Name] = &topology.Peering{Name: "to-" + a.Name, RemoteVirtualNetwork: a.Name, AllowVirtualNetworkAccess: true}
			}
		}
	}
	if vms > 0 {
		big := add("big", netip.MustParsePrefix("100.64.0.0/16"))
		for i := range vms {
			big.VirtualMachines[fmt.Sprintf("vm%05d", i)] = &topology.VirtualMachine{Name: fmt.Sprintf("vm%05d", i), Subnet: big.Subnets["s"],
				IPAddress: netip.AddrFrom4([4]byte{100, 64, byte(i >> 8), byte(i)}), Running: true}
		}
	}
	return n
}

// manyVMs is vnets unpeered VNets of vms VMs each.
func manyVMs(vnets, vms int) *topology.Network {
	n := shapeEstate(vnets, func(i, j int) bool { return false }, 0)
	for _, v := range n.VirtualNetworks {
		for i := range vms {
			name := fmt.Sprintf("%s-vm%02d", v.Name, i)
			v.VirtualMachines[name] = &topology.VirtualMachine{Name: name, Subnet: v.Subnets["s"], IPAddress: v.AddressSpace[0].Addr().Next(), Running: true}
		}
	}
	return n
}

// Whatever the estate's shape, the diagram folds until graphviz can lay it
// out: a chain into one node, a mesh or a set of peered pairs by sets of
// peered VNets, a VNet of thousands of VMs into a count. Only hub and spoke
// estates folded before, so a chain of 10,000 VNets went to graphviz whole
// (10 GB and two minutes, or a crash).
func TestDiagramFoldsAnyShape(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     *topology.Network
		wants []string
	}{
		{"chain of 2000", shapeEstate(2000, func(i, j int) bool { return j == i+1 }, 0), []string{"2000 VNets in a chain"}},
		{"lattice of 200", shapeEstate(200, func(i, j int) bool { return j-i <= 2 || j-i >= 198 }, 0), []string{"200 VNets peered with one another"}},
		{"140 VNets of 39 VMs, too many nodes", manyVMs(140, 39), []string{"140 VNets without a peering"}},
		{"600 peered pairs", shapeEstate(1200, func(i, j int) bool { return i%2 == 0 && j == i+1 }, 0), []string{"2 VNets peered with one another"}},
		{"1000 unpeered", shapeEstate(1000, func(i, j int) bool { return false }, 0), []string{"1000 VNets without a peering"}},
		{"a VNet of 5000 VMs", shapeEstate(3, func(i, j int) bool { return j == i+1 }, 5000), []string{"5000 virtual machines"}},
		{"hub and 500 spokes", hubSpokes(500), []string{"500 spokes of hub"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if size := DiagramSize(tc.n, DiagramOptions{}); size > MaxLayoutSize {
				t.Errorf("%d nodes and edges, more than %d", size, MaxLayoutSize)
			}
			var b bytes.Buffer
			if err := DOT(&b, tc.n, DiagramOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.wants {
				if !strings.Contains(b.String(), want) {
					t.Errorf("no %q in the diagram", want)
				}
			}
		})
	}
}

// A diagram too large to lay out is refused with a message, never sent to
// graphviz: only --fold-above -1 asks for one.
func TestRenderDiagramRefusesWhatGraphvizCannotLayOut(t *testing.T) {
	n := shapeEstate(3000, func(i, j int) bool { return j == i+1 }, 0)
	var b bytes.Buffer
	err := RenderDiagram(context.Background(), &b, n, DiagramOptions{FoldAbove: -1}, SVG)
	if err == nil || !strings.Contains(err.Error(), "more than the 10000") || b.Len() > 0 {
		t.Errorf("got %v with %d bytes written, want a refusal and nothing written", err, b.Len())
	}
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
	chain := shapeEstate(2000, func(i, j int) bool { return j == i+1 }, 0)
	for _, tc := range []struct {
		name string
		n    *topology.Network
		fold int
	}{{"spokes=50/fold=0", hubSpokes(50), 0}, {"spokes=500/fold=0", hubSpokes(500), 0}, {"spokes=500/fold=-1", hubSpokes(500), -1},
		{"chain=2000/fold=0", chain, 0}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := RenderDiagram(context.Background(), &bytes.Buffer{}, tc.n, DiagramOptions{FoldAbove: tc.fold}, SVG); err != nil {
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

// An edge says "gateway transit" only where the spoke uses the hub's
// gateway as the engine routes it (topology.Network.TransitHub): not for a
// spoke with a gateway of its own, and for one hub only when a spoke sets
// useRemoteGateways toward two.
func TestDOTTransitFollowsTheEngine(t *testing.T) {
	const text = `name: t
platform: azure
virtualNetworks:
  hub1:
    addressSpace: [10.1.0.0/16]
    gateway: {type: Vpn, sku: VpnGw1}
    peerings: {h1-s: {remoteVirtualNetwork: spoke, allowGatewayTransit: true}, h1-own: {remoteVirtualNetwork: own, allowGatewayTransit: true}}
  hub2:
    addressSpace: [10.2.0.0/16]
    gateway: {type: Vpn, sku: VpnGw1}
    peerings: {h2-s: {remoteVirtualNetwork: spoke, allowGatewayTransit: true}}
  spoke:
    addressSpace: [10.3.0.0/16]
    peerings: {s-h1: {remoteVirtualNetwork: hub1, useRemoteGateways: true}, s-h2: {remoteVirtualNetwork: hub2, useRemoteGateways: true}}
  own:
    addressSpace: [10.4.0.0/16]
    gateway: {type: Vpn, sku: VpnGw1}
    peerings: {own-h1: {remoteVirtualNetwork: hub1, useRemoteGateways: true}}
`
	n, _, ds := topology.Load("t.yaml", []byte(text))
	if n == nil {
		t.Fatalf("load: %v", ds.Err())
	}
	var b bytes.Buffer
	if err := DOT(&b, n, DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	transit := map[string]bool{} // by the edge's tooltip
	for _, edge := range strings.Split(b.String(), " -> ")[1:] {
		edge, _, _ = strings.Cut(edge, "];")
		if _, rest, ok := strings.Cut(edge, `tooltip="`); ok {
			pair, _, _ := strings.Cut(rest, ": ")
			transit[pair] = strings.Contains(edge, "gateway transit")
		}
	}
	want := map[string]bool{"h1-s ↔ s-h1": true, "h2-s ↔ s-h2": false, "h1-own ↔ own-h1": false}
	for pair, on := range want {
		if got, drawn := transit[pair]; !drawn || got != on {
			t.Errorf("edge %s: drawn %t, gateway transit %t, want %t\n%s", pair, drawn, got, on, b.String())
		}
	}
}

// A VM name may repeat across VNets (ambiguous-name is a warning): each VM
// is a node of its own, linked to its own subnet, and a load balancer's
// backend edge goes to the VM of its own VNet.
func TestDOTRepeatedNames(t *testing.T) {
	data := []byte(`name: t
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    subnets: {s: {addressPrefix: 10.1.1.0/24}}
    virtualMachines: {web: {subnet: s, ipAddress: 10.1.1.4}}
  B:
    addressSpace: [10.2.0.0/16]
    subnets: {s: {addressPrefix: 10.2.1.0/24}}
    virtualMachines: {web: {subnet: s, ipAddress: 10.2.1.4}}
    loadBalancers: {lb: {subnet: s, frontendIpAddress: 10.2.1.10, backends: [web]}}
`)
	n, _, ds := topology.Load("t.yaml", data)
	if n == nil {
		t.Fatal(ds)
	}
	var b bytes.Buffer
	if err := DOT(&b, n, DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	dot := b.String()
	for _, want := range []string{`"subnet:A/s" -> "vm:A/web"`, `"subnet:B/s" -> "vm:B/web"`, `"lb:B/lb" -> "vm:B/web"`} {
		if !strings.Contains(dot, want) {
			t.Errorf("no edge %s in\n%s", want, dot)
		}
	}
	if strings.Contains(dot, `"lb:B/lb" -> "vm:A/web"`) {
		t.Error("the backend edge goes to the other VNet's VM")
	}
}

// A trace hop says what its node names, so a load balancer that shares a
// VM's name in one VNet is the hop the overlay marks, not the VM.
func TestDOTOverlayFollowsHopKinds(t *testing.T) {
	data := []byte(`name: t
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    subnets: {s: {addressPrefix: 10.1.1.0/24}}
    virtualMachines: {x: {subnet: s, ipAddress: 10.1.1.4}, web: {subnet: s, ipAddress: 10.1.1.5}}
    loadBalancers: {x: {subnet: s, frontendIpAddress: 10.1.1.100, backends: [web], rules: [{protocol: TCP, frontendPort: 443}]}}
`)
	n, _, ds := topology.Load("t.yaml", data)
	if n == nil {
		t.Fatal(ds)
	}
	e := sim.New(n)
	flow, err := e.NewFlow("10.1.1.4", "10.1.1.100", topology.TCP, 443)
	if err != nil {
		t.Fatal(err)
	}
	tr := e.Trace(flow)
	var b bytes.Buffer
	if err := DOT(&b, n, DiagramOptions{Trace: &tr}); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`"vm:A/x" -> "lb:A/x" \[[^\]]*color="#e07000"`).MatchString(b.String()) {
		t.Errorf("the overlay does not go through the load balancer:\n%s", b.String())
	}
}
