package sim

import (
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology"
)

// loadAnyT loads a topology that may hold errors: trace answers for any
// file that loads (docs/reference/commands.md), so the engine must too.
func loadAnyT(t *testing.T, text string) *topology.Network {
	t.Helper()
	n, _, ds := topology.Load("test.yaml", []byte(text))
	if n == nil {
		t.Fatalf("does not load: %v", ds.Err())
	}
	return n
}

// endpointsFixture has names that collide across kinds and VNets.
const endpointsFixture = `
name: names
platform: azure
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    subnets: {s1: {addressPrefix: 10.1.1.0/24}}
    virtualMachines:
      web: {subnet: s1, ipAddress: 10.1.1.4}
      twin: {subnet: s1, ipAddress: 10.1.1.5}
    loadBalancers:
      web-lb: {subnet: s1, frontendIpAddress: 10.1.1.100, backends: [web]}
  B:
    addressSpace: [10.2.0.0/16]
    subnets: {s1: {addressPrefix: 10.2.1.0/24}}
    virtualMachines:
      twin: {subnet: s1, ipAddress: 10.2.1.5}
    loadBalancers:
      op1: {subnet: s1, frontendIpAddress: 10.2.1.100, backends: [twin]}
  Overlap:
    addressSpace: [10.1.0.0/16]
    subnets: {s1: {addressPrefix: 10.1.1.0/24}}
onPremises:
  dc1: {addressSpace: [192.168.0.0/16], hosts: {op1: 192.168.1.10, h2: 192.168.1.11}}
`

func TestResolve(t *testing.T) {
	e := New(loadAnyT(t, endpointsFixture))
	tests := []struct {
		name, in string
		kind     EndpointKind
		addr     string // "" when an error is expected
		where    string // VNET/SUBNET, or the site
		errHas   string
	}{
		{name: "a VM", in: "web", kind: EndpointVM, addr: "10.1.1.4", where: "A/s1"},
		{name: "a load balancer", in: "web-lb", kind: EndpointLoadBalancer, addr: "10.1.1.100", where: "A/s1"},
		{name: "an on-premises host", in: "h2", kind: EndpointHost, addr: "192.168.1.11", where: "dc1"},
		{name: "a load balancer wins over a host of the same name", in: "op1", kind: EndpointLoadBalancer, addr: "10.2.1.100", where: "B/s1"},
		{name: "a subnet sends from its first usable address (azure: .4)", in: "B/s1", kind: EndpointSubnet, addr: "10.2.1.4", where: "B/s1"},
		{name: "a literal address held by one VM", in: "10.2.1.5", kind: EndpointAddress, addr: "10.2.1.5", where: "B/s1"},
		{name: "a literal address in a site", in: "192.168.9.9", kind: EndpointAddress, addr: "192.168.9.9", where: "dc1"},
		{name: "a literal address in overlapping VNets is not located", in: "10.1.1.77", kind: EndpointAddress, addr: "10.1.1.77", where: ""},
		{name: "an ambiguous name lists the candidates", in: "twin", errHas: "vm in virtual network A, vm in virtual network B"},
		{name: "an unknown name", in: "nope", errHas: "unknown endpoint"},
		{name: "an unknown subnet", in: "A/nope", errHas: "unknown endpoint"},
		{name: "a misspelt VM is named", in: "wbe", errHas: `unknown endpoint "wbe": not a VM, load balancer, on-premises host, VNET/SUBNET or IP address; did you mean "web"?`},
		{name: "a misspelt host is named", in: "H2", errHas: `did you mean "h2"?`},
		{name: "a misspelt subnet is named", in: "B/s2", errHas: `did you mean "B/s1"?`},
		{name: "nothing close, no guess", in: "zzzzzz", errHas: "VNET/SUBNET or IP address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, err := e.Resolve(tt.in)
			if checkErr(t, err, tt.errHas) {
				return
			}
			where := ep.OnPremises
			if ep.Subnet != "" {
				where = ep.VirtualNetwork + "/" + ep.Subnet
			}
			if ep.Kind != tt.kind || ep.Addr != addr(tt.addr) || where != tt.where {
				t.Errorf("got %s %s at %q, want %s %s at %q", ep.Kind, ep.Addr, where, tt.kind, tt.addr, tt.where)
			}
		})
	}
}

func TestNewFlow(t *testing.T) {
	e := New(loadAnyT(t, endpointsFixture))
	tests := []struct {
		name, from, to string
		proto          topology.Protocol
		port           uint16
		wantPort       uint16
		dstSubnet      string
		errHas         string
	}{
		{name: "TCP keeps its port; a subnet destination is named", from: "web", to: "B/s1", proto: topology.TCP, port: 443, wantPort: 443, dstSubnet: "B/s1"},
		{name: "TCP port 0 is refused, not read as 443", from: "web", to: "B/s1", proto: topology.TCP, errHas: "0 is not a destination port: want 1-65535"},
		{name: "UDP port 0 is refused", from: "web", to: "B/s1", proto: topology.UDP, errHas: "0 is not a destination port"},
		{name: "UDP port 65535 is a port", from: "web", to: "B/s1", proto: topology.UDP, port: 65535, wantPort: 65535, dstSubnet: "B/s1"},
		{name: "ICMP carries no port", from: "web", to: "10.2.1.5", proto: topology.ICMP, port: 80, wantPort: 0},
		{name: "an unknown destination", from: "web", to: "nope", proto: topology.TCP, port: 443, errHas: "destination"},
		{name: "an unlocated source is refused", from: "10.1.1.77", to: "web", proto: topology.TCP, port: 443, errHas: "source"},
		{name: "an unknown source", from: "nope", to: "web", proto: topology.TCP, port: 443, errHas: "source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := e.NewFlow(tt.from, tt.to, tt.proto, tt.port)
			if checkErr(t, err, tt.errHas) {
				return
			}
			if f.Port != tt.wantPort || f.DstSubnet != tt.dstSubnet {
				t.Errorf("port %d, DstSubnet %q; want %d, %q", f.Port, f.DstSubnet, tt.wantPort, tt.dstSubnet)
			}
		})
	}
}

// Endpoint names hold no comma and no white space at either end, so
// "FROM,TO" splits at its one comma.
func TestSplitEndpoints(t *testing.T) {
	tests := []struct {
		spec, from, to string
		errHas         string
	}{
		{"a1,b1", "a1", "b1", ""},
		{" a1 , B/s1 ", "a1", "B/s1", ""},
		{"10.1.1.4,10.2.1.4", "10.1.1.4", "10.2.1.4", ""},
		{"a1", "", "", "not FROM,TO"},
		{"a1,", "", "", "not FROM,TO"},
		{" ,b1", "", "", "not FROM,TO"},
		{"a1,b1,c1", "", "", "one comma"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			from, to, err := SplitEndpoints(tt.spec)
			if checkErr(t, err, tt.errHas) {
				return
			}
			if from != tt.from || to != tt.to {
				t.Errorf("SplitEndpoints = %q, %q; want %q, %q", from, to, tt.from, tt.to)
			}
		})
	}
}

// A literal address is an address even when a VM of a network built
// without the loader is named like one: no name may be an IP address.
func TestResolveAddressBeforeNames(t *testing.T) {
	n := loadAnyT(t, endpointsFixture)
	a := n.VirtualNetworks["A"]
	a.VirtualMachines["10.2.1.5"] = &topology.VirtualMachine{Name: "10.2.1.5", Subnet: a.Subnets["s1"], IPAddress: addr("10.1.1.9"), Running: true}
	ep, err := New(n).Resolve("10.2.1.5")
	if err != nil {
		t.Fatal(err)
	}
	if ep.Kind != EndpointAddress || ep.VirtualNetwork != "B" || ep.VM != "twin" {
		t.Errorf("Resolve(10.2.1.5) = %s in %s (VM %q), want the address held by twin in B", ep.Kind, ep.VirtualNetwork, ep.VM)
	}
}

// CheckPort is the one rule for a destination port a user gives: TCP and
// UDP need 1-65535, ICMP and All take none.
func TestCheckPort(t *testing.T) {
	tests := []struct {
		name   string
		proto  topology.Protocol
		port   uint64
		given  bool
		want   uint16
		errHas string
	}{
		{"TCP 443", topology.TCP, 443, true, 443, ""},
		{"TCP 1, the lowest", topology.TCP, 1, true, 1, ""},
		{"UDP 65535, the highest", topology.UDP, 65535, true, 65535, ""},
		{"TCP 0 is reserved", topology.TCP, 0, true, 0, "0 is not a destination port: want 1-65535"},
		{"UDP 65536 is too high", topology.UDP, 65536, true, 0, "65536 is not a destination port"},
		{"ICMP without a port", topology.ICMP, 0, false, 0, ""},
		{"ICMP with a port", topology.ICMP, 80, true, 0, "ICMP packets carry no port"},
		{"All with a port", topology.ProtocolAll, 0, true, 0, "All packets carry no port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckPort(tt.proto, tt.port, tt.given)
			if checkErr(t, err, tt.errHas) {
				return
			}
			if got != tt.want {
				t.Errorf("CheckPort = %d, want %d", got, tt.want)
			}
		})
	}
}

// A zero Engine input and odd flows must not panic.
func TestNoPanics(t *testing.T) {
	e := New(nil)
	if _, err := e.Resolve("x"); err == nil {
		t.Error("empty network resolved a name")
	}
	tr := e.Trace(Flow{})
	if tr.Result != Dropped {
		t.Errorf("empty flow: %s", render(tr))
	}
	if r := e.Reach(ReachOptions{}); len(r.Pairs) != 0 {
		t.Errorf("empty network has pairs: %v", r.Pairs)
	}
	if ds := Validate(nil); ds != nil {
		t.Errorf("Validate(nil) = %v", ds)
	}
}

// checkErr fails t unless err says errHas, or is nil when errHas is empty.
// It reports whether an error was wanted, so the caller stops there.
func checkErr(t *testing.T, err error, errHas string) bool {
	t.Helper()
	if errHas != "" {
		if err == nil || !strings.Contains(err.Error(), errHas) {
			t.Fatalf("error %v, want one saying %q", err, errHas)
		}
		return true
	}
	if err != nil {
		t.Fatal(err)
	}
	return false
}
