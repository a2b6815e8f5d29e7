package topology

import (
	"net/netip"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology/diag"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

// TestLoadDefaults checks the contract's defaults for fields a file leaves
// out, and the values the loader derives.
func TestLoadDefaults(t *testing.T) {
	n := loadT(t, `
		name: defaults
		networkController: nc1
		virtualNetworks:
		  A:
		    addressSpace: [10.1.0.0/16]
		    subnets: {s1: {addressPrefix: 10.1.1.0/24}}
		    gateway: {type: Vpn}
		    virtualMachines: {a1: {subnet: s1, ipAddress: 10.1.1.4}}
		    loadBalancers: {ilb: {subnet: s1, frontendIpAddress: 10.1.1.100, backends: [a1]}}
		    peerings: {a-b: {remoteVirtualNetwork: B}}
		  B:
		    networkController: nc2
		    addressSpace: [10.2.0.0/16, "fd00:2::/48"]
		    peerings: {b-a: {remoteVirtualNetwork: A}}
		accessControlLists:
		  acl: {rules: [{name: r, priority: 200, type: Inbound, action: Deny}]}
	`)
	a, b := n.VirtualNetworks["A"], n.VirtualNetworks["B"]
	p := a.Peerings["a-b"]
	lb := a.LoadBalancers["ilb"]
	vm := a.VirtualMachines["a1"]
	acl := n.AccessControlLists["acl"]
	checks := []struct {
		name      string
		got, want any
	}{
		{"platform", n.Platform, WindowsSDN},
		{"VNet inherits the controller", a.NetworkController, "nc1"},
		{"VNet overrides the controller", b.NetworkController, "nc2"},
		{"allowVirtualNetworkAccess", p.AllowVirtualNetworkAccess, true},
		{"allowForwardedTraffic", p.AllowForwardedTraffic, false},
		{"allowGatewayTransit", p.AllowGatewayTransit, false},
		{"useRemoteGateways", p.UseRemoteGateways, false},
		{"SyncedRemote is the remote's space", p.SyncedRemote, []netip.Prefix{pfx("10.2.0.0/16"), pfx("fd00:2::/48")}},
		{"running", vm.Running, true},
		{"ipForwarding", vm.IPForwarding, false},
		{"VM address", vm.IPAddress, addr("10.1.1.4")},
		{"VM subnet is a pointer to it", vm.Subnet, a.Subnets["s1"]},
		{"subnet knows its VNet", a.Subnets["s1"].VirtualNetwork, a},
		{"LB sku", lb.SKU, Standard},
		{"LB rules absent: nil, every port", lb.Rules == nil, true},
		{"LB backend is the VM", lb.Backends, []*VirtualMachine{vm}},
		{"gateway name", a.Gateway.Name, "A-gw"},
		{"ACL inbound default", acl.InboundDefaultAction, Allow},
		{"ACL outbound default", acl.OutboundDefaultAction, Allow},
		{"rule protocol", acl.Rules[0].Protocol, ProtocolAll},
		{"rule ports", acl.Rules[0].DestinationPortRanges, []PortRange{AnyPort}},
		{"rule source", acl.Rules[0].SourceAddressPrefixes, []AddressMatch{AnyAddress}},
		{"peering state", n.PeeringState("A", p), Connected},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, c.got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
				cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
				cmp.Comparer(func(a, b *VirtualMachine) bool { return a == b }),
				cmp.Comparer(func(a, b *Subnet) bool { return a == b }),
				cmp.Comparer(func(a, b *VirtualNetwork) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadValues checks values that are written, including IPv6, unquoted
// ports and host bits (which are masked).
func TestLoadValues(t *testing.T) {
	n := loadT(t, `
		name: values
		platform: azure
		virtualNetworks:
		  V6:
		    addressSpace: ["2001:db8::/32"]
		    subnets: {s: {addressPrefix: "2001:db8:1::/64", routeTable: rt}}
		    virtualMachines: {v: {subnet: s, ipAddress: "2001:db8:1::4", ipForwarding: true, running: false, bandwidthMbps: 1000}}
		    loadBalancers: {lb: {subnet: s, frontendIpAddress: "2001:db8:1::100", sku: Basic, rules: [{protocol: UDP, frontendPort: 53}]}}
		routeTables:
		  rt:
		    disableGatewayRoutePropagation: true
		    routes: [{name: r, addressPrefix: "::/0", nextHopType: VirtualAppliance, nextHopIpAddress: "2001:db8:1::4"}]
		accessControlLists:
		  acl:
		    inboundDefaultAction: Deny
		    rules: [{name: r, priority: 300, type: Outbound, action: Allow, protocol: TCP, sourcePortRange: 1024-65535, destinationPortRange: 443, destinationAddressPrefix: VirtualNetwork}]
	`)
	v := n.VirtualNetworks["V6"]
	vm, lb, rt, rule := v.VirtualMachines["v"], v.LoadBalancers["lb"], n.RouteTables["rt"], n.AccessControlLists["acl"].Rules[0]
	if n.Platform != Azure || !vm.IPForwarding || vm.Running || vm.BandwidthMbps != 1000 {
		t.Errorf("platform %v, VM %+v", n.Platform, vm)
	}
	if lb.SKU != Basic || !slices.Equal(lb.Rules, []LoadBalancerRule{{UDP, 53, 53}}) {
		t.Errorf("load balancer %+v", lb)
	}
	if !rt.DisableGatewayRoutePropagation || rt.Routes[0].NextHopIPAddress != addr("2001:db8:1::4") || rt.Routes[0].AddressPrefix != pfx("::/0") {
		t.Errorf("route table %+v", rt)
	}
	if !slices.Equal(rule.SourcePortRanges, []PortRange{{1024, 65535}}) || !slices.Equal(rule.DestinationPortRanges, []PortRange{{443, 443}}) ||
		!slices.Equal(rule.DestinationAddressPrefixes, []AddressMatch{{Tag: TagVirtualNetwork}}) || rule.Type != Outbound || rule.Protocol != TCP {
		t.Errorf("rule %+v", rule)
	}
	if n.AccessControlLists["acl"].InboundDefaultAction != Deny {
		t.Errorf("inbound default not Deny")
	}
}

// TestLoadFatal checks which problems leave Load without a network (it
// cannot be simulated) and which leave a usable one.
func TestLoadFatal(t *testing.T) {
	const base = "name: x\nvirtualNetworks:\n  A:\n    addressSpace: [10.1.0.0/16]\n    subnets: {s1: {addressPrefix: 10.1.1.0/24}}\n"
	tests := []struct {
		name    string
		extra   string
		loads   bool
		wantErr diag.Code
	}{
		{"unknown field is an error, but the model is usable", "    colour: blue\n", true, diag.UnknownField},
		{"invalid optional enum falls back", "    loadBalancers: {lb: {subnet: s1, frontendIpAddress: 10.1.1.9, sku: Premium}}\n", true, diag.InvalidValue},
		{"invalid optional bool falls back", "    virtualMachines: {a1: {subnet: s1, ipAddress: 10.1.1.4, running: later}}\n", true, diag.InvalidValue},
		{"subnet overlap is semantic", "    virtualMachines: {a1: {subnet: s1, ipAddress: 10.1.2.4}}\n", true, diag.AddressOutsideSubnet},
		{"unknown subnet", "    virtualMachines: {a1: {subnet: s9, ipAddress: 10.1.1.4}}\n", false, diag.UnknownReference},
		{"missing VM address", "    virtualMachines: {a1: {subnet: s1}}\n", false, diag.MissingField},
		{"invalid VM address", "    virtualMachines: {a1: {subnet: s1, ipAddress: ten}}\n", false, diag.InvalidAddress},
		{"VM that is a list", "    virtualMachines: {a1: [s1]}\n", false, diag.InvalidValue},
		{"name with a slash", "    virtualMachines: {a/1: {subnet: s1, ipAddress: 10.1.1.4}}\n", false, diag.InvalidValue},
		{"port out of range", "    loadBalancers: {lb: {subnet: s1, frontendIpAddress: 10.1.1.9, rules: [{protocol: TCP, frontendPort: 70000}]}}\n", false, diag.InvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, ds := Check("t.yaml", []byte(base+tt.extra))
			if (n != nil) != tt.loads {
				t.Errorf("network returned = %v, want %v", n != nil, tt.loads)
			}
			if got := ds.Codes(diag.Error); !slices.Equal(got, []diag.Code{tt.wantErr}) {
				t.Errorf("error codes %v, want [%s]:\n%s", got, tt.wantErr, formatDiags(ds))
			}
			for _, d := range ds {
				if d.Subject.Start.Line != 6 {
					t.Errorf("diagnostic not on line 6: %s", formatDiags(diag.Diagnostics{d}))
				}
			}
		})
	}
}

// TestSourceMap checks the path scheme documented on SourceMap.
func TestSourceMap(t *testing.T) {
	text := dedent(`
		name: sm
		virtualNetworks:
		  hub:
		    addressSpace: [10.0.0.0/16, 10.9.0.0/16]
		    subnets:
		      nva: {addressPrefix: 10.0.2.0/24}
		    gateway: {type: Vpn, connections: [dc1]}
		    peerings:
		      hub-to-spoke1: {remoteVirtualNetwork: spoke1}
		  spoke1:
		    addressSpace: [10.1.0.0/16]
		    peerings: {spoke1-to-hub: {remoteVirtualNetwork: hub}}
		routeTables:
		  rt:
		    routes:
		      - {name: a, addressPrefix: 10.0.0.0/8, nextHopType: None}
		      - name: b
		        addressPrefix: 10.8.0.0/16
		        nextHopType: VirtualAppliance
		        nextHopIpAddress: 10.0.2.4
		accessControlLists:
		  web-acl:
		    rules:
		      - {name: r, priority: 200, type: Inbound, action: Deny}
		onPremises:
		  dc1: {addressSpace: [192.168.0.0/16], hosts: {op1: 192.168.1.10}}
	`)
	_, sm, ds := Load("t.yaml", []byte(text))
	if ds.HasErrors() {
		t.Fatalf("fixture:\n%s", formatDiags(ds))
	}
	hub := diag.P("virtualNetworks", "hub")
	tests := []struct {
		path      diag.Path
		line, col int
	}{
		{nil, 1, 1},
		{diag.P("virtualNetworks"), 2, 1},
		{hub, 3, 3},
		{hub.Child("addressSpace"), 4, 5},
		{hub.Child("addressSpace").Index(1), 4, 33},
		{hub.Child("subnets", "nva"), 6, 7},
		{hub.Child("subnets", "nva", "addressPrefix"), 6, 28},
		{hub.Child("gateway"), 7, 5},
		{hub.Child("gateway", "connections").Index(0), 7, 40},
		{hub.Child("peerings", "hub-to-spoke1"), 9, 7},
		{hub.Child("peerings", "hub-to-spoke1", "remoteVirtualNetwork"), 9, 45},
		{hub.Child("peerings", "hub-to-spoke1", "allowGatewayTransit"), 9, 7}, // defaulted: the peering
		{diag.P("routeTables", "rt", "routes").Index(0), 16, 9},
		{diag.P("routeTables", "rt", "routes").Index(1), 17, 9},
		{diag.P("routeTables", "rt", "routes").Index(1).Child("nextHopIpAddress"), 20, 27},
		{diag.P("accessControlLists", "web-acl", "rules").Index(0).Child("priority"), 24, 29},
		{diag.P("onPremises", "dc1", "hosts", "op1"), 26, 54},
		{diag.P("virtualNetworks", "nowhere"), 2, 1}, // not written: the nearest ancestor
	}
	for _, tt := range tests {
		t.Run(tt.path.String(), func(t *testing.T) {
			r, ok := sm.Locate(tt.path)
			if !ok || r.Filename != "t.yaml" || r.Start.Line != tt.line || r.Start.Column != tt.col {
				t.Errorf("Locate = %v, %v; want t.yaml:%d:%d (line %q)", r, ok, tt.line, tt.col, sm.Line(tt.line))
			}
		})
	}
	if got := sm.Line(9); got != "      hub-to-spoke1: {remoteVirtualNetwork: spoke1}" {
		t.Errorf("Line(9) = %q", got)
	}
	for _, n := range []int{0, -1, 1000} {
		if got := sm.Line(n); got != "" {
			t.Errorf("Line(%d) = %q, want empty", n, got)
		}
	}
}

// TestLocateAll checks that LocateAll fills unlocated subjects and related
// locations from their paths and leaves located ones alone.
func TestLocateAll(t *testing.T) {
	_, sm, _ := Load("t.yaml", []byte("name: x\nvirtualNetworks:\n  A: {addressSpace: [10.0.0.0/16]}\n"))
	fixed := diag.Range{Filename: "other.yaml", Start: diag.Pos{Line: 9, Column: 9}}
	ds := diag.Diagnostics{
		diag.Errorf(diag.PeeringSelf, diag.P("virtualNetworks", "A"), "x").WithRelated(diag.P("virtualNetworks"), "y"),
		diag.Errorf(diag.PeeringSelf, diag.P("virtualNetworks", "A"), "x").At(fixed),
	}
	sm.LocateAll(ds)
	if got := ds[0].Subject.String(); got != "t.yaml:3:3" {
		t.Errorf("subject %s, want t.yaml:3:3", got)
	}
	if got := ds[0].Related[0].Subject.String(); got != "t.yaml:2:1" {
		t.Errorf("related %s, want t.yaml:2:1", got)
	}
	if ds[1].Subject != fixed {
		t.Errorf("located subject changed to %v", ds[1].Subject)
	}
	var none *SourceMap
	none.LocateAll(ds) // a nil map locates nothing and does not panic
}

// TestUTF8ByteOrderMark checks that a UTF-8 BOM, which Windows editors
// write, is accepted.
func TestUTF8ByteOrderMark(t *testing.T) {
	n, _, ds := Check("t.yaml", []byte("\xef\xbb\xbfname: bom\n"))
	if n == nil || len(ds) != 0 {
		t.Errorf("BOM file: network %v, diagnostics:\n%s", n != nil, formatDiags(ds))
	}
}

// BenchmarkLoad measures Check on the hub-and-spoke example.
func BenchmarkLoad(b *testing.B) {
	data := readFile(b, filepath.Join("..", "examples", "hub-spoke.yaml"))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if n, _, _ := Check("hub-spoke.yaml", data); n == nil {
			b.Fatal("no network")
		}
	}
}

// TestSoftErrors checks errors that leave a usable network.
func TestSoftErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"no name", "virtualNetworks: {A: {addressSpace: [10.0.0.0/16]}}\n", []string{"missing-field@1"}},
		{"empty address space", "name: x\nvirtualNetworks: {A: {addressSpace: []}}\n", []string{"invalid-value@2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, ds := Check("t.yaml", []byte(tt.yaml))
			if n == nil {
				t.Errorf("no network")
			}
			if diff := cmp.Diff(tt.want, codesAt(ds)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%s", diff, formatDiags(ds))
			}
		})
	}
}

// TestValueErrors covers the value checks of docs/reference/vocabularies.md: wrong types,
// values outside their vocabulary, strings that are not prefixes or
// addresses. Each row's problem is on line 3.
func TestValueErrors(t *testing.T) {
	const acl = "name: x\naccessControlLists:\n"
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"address space not a list", "name: x\nvirtualNetworks:\n  A: {addressSpace: 10.0.0.0/16}\n", []string{"invalid-value@3"}},
		{"region not a string", "name: x\nvirtualNetworks:\n  A: {addressSpace: [10.0.0.0/16], region: {west: 1}}\n", []string{"invalid-value@3"}},
		{"address a number", "name: x\nonPremises:\n  dc: {addressSpace: [192.168.0.0/16], hosts: {h: 7}}\n", []string{"invalid-address@3"}},
		{"priority not an integer", acl + "  a: {rules: [{name: r, priority: high, type: Inbound, action: Allow}]}\n", []string{"invalid-value@3"}},
		{"priority a float", acl + "  a: {rules: [{name: r, priority: 200.5, type: Inbound, action: Allow}]}\n", []string{"invalid-value@3"}},
		{"rule type outside vocabulary", acl + "  a: {rules: [{name: r, priority: 200, type: Both, action: Allow}]}\n", []string{"invalid-value@3"}},
		{"rule address not a prefix", acl + "  a: {rules: [{name: r, priority: 200, type: Inbound, action: Allow, sourceAddressPrefix: Storage}]}\n", []string{"invalid-prefix@3"}},
		{"rule address list item not a prefix", acl + "  a: {rules: [{name: r, priority: 200, type: Inbound, action: Allow, sourceAddressPrefixes: [10.0.0.0/8, Sql]}]}\n", []string{"invalid-prefix@3"}},
		{"rule port list item reversed", acl + "  a: {rules: [{name: r, priority: 200, type: Inbound, action: Allow, destinationPortRanges: [22, 90-80]}]}\n", []string{"invalid-value@3"}},
		{"rule singular and plural", acl + "  a: {rules: [{name: r, priority: 200, type: Inbound, action: Allow, destinationPortRange: 22, destinationPortRanges: [80]}]}\n", []string{"invalid-value@3"}},
		{"peering state outside vocabulary", "name: x\nvirtualNetworks:\n  A: {addressSpace: [10.0.0.0/16], peerings: {p: {remoteVirtualNetwork: A, peeringState: Absent}}}\n", []string{"invalid-value@3", "peering-self@3"}},
		{"remote address space empty", "name: x\nvirtualNetworks:\n  A: {addressSpace: [10.0.0.0/16], peerings: {p: {remoteVirtualNetwork: A, remoteAddressSpace: []}}}\n", []string{"invalid-value@3", "peering-self@3"}},
		{"rule port range reversed", acl + "  a: {rules: [{name: r, priority: 200, type: Inbound, action: Allow, destinationPortRange: 90-80}]}\n", []string{"invalid-value@3"}},
		{"rule host bits", acl + "  a: {rules: [{name: r, priority: 200, type: Inbound, action: Allow, sourceAddressPrefix: 10.1.2.3/16}]}\n", []string{"non-canonical-prefix@3"}},
		{"rules not a list", acl + "  a: {rules: {name: r}}\n", []string{"invalid-value@3"}},
		{"default action outside vocabulary", acl + "  a: {inboundDefaultAction: Drop}\n", []string{"invalid-value@3"}},
		{"route prefix a list", "name: x\nrouteTables:\n  rt: {routes: [{name: r, addressPrefix: [10.0.0.0/8], nextHopType: None}]}\n", []string{"invalid-value@3"}},
		{"zoned address", "name: x\nonPremises:\n  dc: {addressSpace: [\"fe80::/10\"], hosts: {h: \"fe80::1%eth0\"}}\n", []string{"invalid-address@3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, ds := Check("t.yaml", []byte(tt.yaml))
			if diff := cmp.Diff(tt.want, codesAt(ds)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%s", diff, formatDiags(ds))
			}
		})
	}
}

// TestMisspeltKeys checks that an unknown key names the key it most likely
// misspells, and that a misspelt required key is one diagnostic (an
// unknown-field saying "(required)"), not also a missing-field for the key.
func TestMisspeltKeys(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		message  string // the one diagnostic's message
		loadable bool
	}{
		{"required key",
			"name: x\nvirtualNetworks:\n  A: {adressSpace: [10.0.0.0/16]}\n",
			`virtual network A: unknown field "adressSpace"; did you mean "addressSpace" (required)?`, false},
		{"required key cut short",
			"name: x\nvirtualNetworks:\n  A: {addressSpace: [10.0.0.0/16], peerings: {p: {remote: B}}}\n  B: {addressSpace: [10.1.0.0/16]}\n",
			`peering p: unknown field "remote"; did you mean "remoteVirtualNetwork" (required)?`, false},
		{"optional key",
			"name: x\nvirtualNetworks:\n  A: {addressSpace: [10.0.0.0/16], regoin: west}\n",
			`virtual network A: unknown field "regoin"; did you mean "region"?`, true},
		{"letter case",
			"name: x\nPlatform: azure\n",
			`topology: unknown field "Platform"; did you mean "platform"?`, true},
		{"the topology's soft name",
			"nmae: x\n",
			`topology: unknown field "nmae"; did you mean "name" (required)?`, true},
		{"nothing close",
			"name: x\ncolour: blue\n",
			`topology: unknown field "colour"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, ds := Check("t.yaml", []byte(tt.yaml))
			if len(ds) != 1 || ds[0].Code != diag.UnknownField || ds[0].Summary != tt.message {
				t.Fatalf("want one unknown-field %q, got:\n%s", tt.message, formatDiags(ds))
			}
			if (n != nil) != tt.loadable {
				t.Errorf("network loaded = %v, want %v", n != nil, tt.loadable)
			}
		})
	}
}
