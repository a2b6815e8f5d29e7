package sim

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology"
)

// aclFixture is A and B, peered, with b1's NIC ACL and subnet ACL chosen
// by the row; C is unpeered with B and reaches it through an appliance in A.
const aclFixture = `
name: acls
platform: PLATFORM
networkController: nc1
virtualNetworks:
  A:
    addressSpace: [10.1.0.0/16]
    subnets: {s1: {addressPrefix: 10.1.1.0/24}}
    virtualMachines:
      a1: {subnet: s1, ipAddress: 10.1.1.4}
      nva: {subnet: s1, ipAddress: 10.1.1.10, ipForwarding: true}
    peerings:
      a-to-b: {remoteVirtualNetwork: B, allowForwardedTraffic: true}
      a-to-c: {remoteVirtualNetwork: C, allowForwardedTraffic: true}
  B:
    addressSpace: [10.2.0.0/16]
    subnets: {s1: {addressPrefix: 10.2.1.0/24, SUBNET_ACL}}
    virtualMachines: {b1: {subnet: s1, ipAddress: 10.2.1.4, NIC_ACL}}
    peerings: {b-to-a: {remoteVirtualNetwork: A, allowForwardedTraffic: true}}
  C:
    addressSpace: [10.3.0.0/16]
    subnets: {s1: {addressPrefix: 10.3.1.0/24, routeTable: via-nva}}
    virtualMachines: {c1: {subnet: s1, ipAddress: 10.3.1.4}}
    peerings: {c-to-a: {remoteVirtualNetwork: A, allowForwardedTraffic: true}}
routeTables:
  via-nva: {routes: [{name: b-via-nva, addressPrefix: 10.2.0.0/16, nextHopType: VirtualAppliance, nextHopIpAddress: 10.1.1.10}]}
accessControlLists:
  deny-ssh-from-a:
    rules:
      - {name: deny-ssh, priority: 200, type: Inbound, action: Deny, protocol: TCP, sourceAddressPrefix: 10.1.0.0/16, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22"}
  allow-ssh-first:
    rules:
      - {name: allow-ssh, priority: 150, type: Inbound, action: Allow, protocol: TCP, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "20-25"}
      - {name: deny-all-tcp, priority: 300, type: Inbound, action: Deny, protocol: TCP, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
  default-deny:
    inboundDefaultAction: Deny
    rules:
      - {name: allow-https, priority: 200, type: Inbound, action: Allow, protocol: TCP, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443"}
  deny-low-source-ports:
    rules:
      - {name: deny-privileged-source, priority: 200, type: Inbound, action: Deny, protocol: TCP, sourceAddressPrefix: "*", sourcePortRange: "0-1023", destinationAddressPrefix: "*", destinationPortRange: "*"}
  deny-icmp:
    rules:
      - {name: deny-ping, priority: 200, type: Inbound, action: Deny, protocol: ICMP, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
  allow-vnet:
    rules:
      - {name: allow-vnet, priority: 200, type: Inbound, action: Allow, protocol: All, sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*"}
  deny-all-in:
    inboundDefaultAction: Deny
  deny-port-zero:
    rules:
      - {name: deny-zero, priority: 200, type: Inbound, action: Deny, protocol: TCP, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "0"}
  deny-listed:
    rules:
      - {name: deny-listed, priority: 200, type: Inbound, action: Deny, protocol: TCP, sourceAddressPrefixes: [10.9.0.0/16, 10.1.1.0/24], destinationPortRanges: ["80", "20-22"]}
  deny-internet-in:
    rules:
      - {name: deny-internet, priority: 200, type: Inbound, action: Deny, protocol: All, sourceAddressPrefix: Internet}
  deny-half:
    rules:
      - {name: deny-upper, priority: 200, type: Inbound, action: Deny, protocol: TCP, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: 10.2.1.128/25, destinationPortRange: "443"}
`

func aclTopo(platform, subnetACL, nicACL string) string {
	s := strings.ReplaceAll(aclFixture, "PLATFORM", platform)
	sub, nic := "", ""
	if subnetACL != "" {
		sub = "accessControlList: " + subnetACL
	}
	if nicACL != "" {
		nic = "accessControlList: " + nicACL
	}
	s = strings.ReplaceAll(s, ", SUBNET_ACL", map[bool]string{true: ", " + sub, false: ""}[sub != ""])
	return strings.ReplaceAll(s, ", NIC_ACL", map[bool]string{true: ", " + nic, false: ""}[nic != ""])
}

func TestACLs(t *testing.T) {
	const win, az = "windows-sdn", "azure"
	tests := []struct {
		name                  string
		platform, subnet, nic string
		from                  string
		proto                 topology.Protocol
		port                  uint16
		result                Result
		decidedBy             string // the last ACL step's detail, "" for none
		wantReason            Reason
		aclSteps              string // every ACL step at b1, "; "-joined, in order; "" skips the check
	}{
		// §6 windows-sdn.
		{name: "§6 no ACL at all allows", platform: win, from: "a1", proto: topology.TCP, port: 22, result: Delivered},
		{name: "§6 a matching deny rule", platform: win, subnet: "deny-ssh-from-a", from: "a1", proto: topology.TCP, port: 22,
			result: Dropped, wantReason: ACLDenied, decidedBy: "deny-ssh-from-a/deny-ssh (priority 200) denies"},
		{name: "§6 no rule matches: the default action (Allow) decides", platform: win, subnet: "deny-ssh-from-a", from: "a1", proto: topology.TCP, port: 443,
			result: Delivered, decidedBy: "deny-ssh-from-a default inbound action allows"},
		{name: "§6 the rule's source prefix must match", platform: win, subnet: "deny-ssh-from-a", from: "c1", proto: topology.TCP, port: 22,
			result: Delivered},
		{name: "§6 lower priority number wins", platform: win, subnet: "allow-ssh-first", from: "a1", proto: topology.TCP, port: 22,
			result: Delivered, decidedBy: "allow-ssh-first/allow-ssh (priority 150) allows"},
		{name: "§6 port ranges N-M", platform: win, subnet: "allow-ssh-first", from: "a1", proto: topology.TCP, port: 26,
			result: Dropped, wantReason: ACLDenied, decidedBy: "allow-ssh-first/deny-all-tcp (priority 300) denies"},
		{name: "§6 NIC rules are matched before subnet rules", platform: win, subnet: "deny-ssh-from-a", nic: "allow-ssh-first", from: "a1", proto: topology.TCP, port: 22,
			result: Delivered, decidedBy: "allow-ssh-first/allow-ssh (priority 150) allows"},
		{name: "§6 either ACL's default Deny denies when no rule matches", platform: win, subnet: "default-deny", nic: "deny-ssh-from-a", from: "a1", proto: topology.TCP, port: 80,
			result: Dropped, wantReason: ACLDenied, decidedBy: "default-deny default inbound action denies"},
		{name: "§6 a TCP rule does not match UDP", platform: win, subnet: "default-deny", from: "a1", proto: topology.UDP, port: 443,
			result: Dropped, wantReason: ACLDenied},
		{name: "§6 ICMP rules match ICMP", platform: win, subnet: "deny-icmp", from: "a1", proto: topology.ICMP,
			result: Dropped, wantReason: ACLDenied, decidedBy: "deny-icmp/deny-ping (priority 200) denies"},
		{name: "§6 source port ranges are matched against the ephemeral port", platform: win, subnet: "deny-low-source-ports", from: "a1", proto: topology.TCP, port: 443,
			result: Delivered},

		// Rules with several prefixes and port ranges match any of them.
		{name: "a rule's second source prefix and second port range match", platform: win, subnet: "deny-listed", from: "a1", proto: topology.TCP, port: 22,
			result: Dropped, wantReason: ACLDenied, decidedBy: "deny-listed/deny-listed (priority 200) denies"},
		{name: "a rule's first port range matches", platform: win, subnet: "deny-listed", from: "a1", proto: topology.TCP, port: 80,
			result: Dropped, wantReason: ACLDenied},
		{name: "a port in none of a rule's ranges", platform: win, subnet: "deny-listed", from: "a1", proto: topology.TCP, port: 443,
			result: Delivered},
		{name: "a source in none of a rule's prefixes", platform: win, subnet: "deny-listed", from: "c1", proto: topology.TCP, port: 22,
			result: Delivered},

		// §6 azure NSGs.
		{name: "azure: the Internet tag in a user rule matches outside VirtualNetwork", platform: az, subnet: "deny-internet-in", from: "c1", proto: topology.TCP, port: 80,
			result: Dropped, wantReason: ACLDenied, decidedBy: "deny-internet-in/deny-internet (priority 200) denies"},
		{name: "azure: the Internet tag does not match a Connected peer", platform: az, subnet: "deny-internet-in", from: "a1", proto: topology.TCP, port: 80,
			result: Delivered, decidedBy: "deny-internet-in/AllowVnetInBound (priority 65000) allows"},
		{name: "§6 azure: no NSG allows", platform: az, from: "a1", proto: topology.TCP, port: 22, result: Delivered},
		{name: "§6 azure: AllowVnetInBound admits a Connected peer", platform: az, subnet: "deny-all-in", from: "a1", proto: topology.TCP, port: 80,
			result: Delivered, decidedBy: "deny-all-in/AllowVnetInBound (priority 65000) allows"},
		{name: "§6 azure: traffic from outside VirtualNetwork meets DenyAllInBound", platform: az, subnet: "deny-all-in", from: "c1", proto: topology.TCP, port: 80,
			result: Dropped, wantReason: ACLDenied, decidedBy: "deny-all-in/DenyAllInBound (priority 65500) denies"},
		{name: "§6 azure: the VirtualNetwork tag in a user rule", platform: az, subnet: "allow-vnet", from: "a1", proto: topology.UDP, port: 53,
			result: Delivered, decidedBy: "allow-vnet/allow-vnet (priority 200) allows"},
		{name: "§6 azure: inbound is checked subnet NSG, then NIC NSG", platform: az, subnet: "allow-vnet", nic: "allow-ssh-first", from: "a1", proto: topology.TCP, port: 22,
			result: Delivered, aclSteps: "allow-vnet/allow-vnet (priority 200) allows; allow-ssh-first/allow-ssh (priority 150) allows"},
		{name: "§6 azure: subnet allows but NIC denies: both must allow", platform: az, subnet: "allow-ssh-first", nic: "deny-ssh-from-a", from: "a1", proto: topology.TCP, port: 22,
			result: Dropped, wantReason: ACLDenied, decidedBy: "deny-ssh-from-a/deny-ssh (priority 200) denies"},
		{name: "§6 azure: the NIC's allow does not override the subnet's deny", platform: az, subnet: "deny-ssh-from-a", nic: "allow-ssh-first", from: "a1", proto: topology.TCP, port: 22,
			result: Dropped, wantReason: ACLDenied, decidedBy: "deny-ssh-from-a/deny-ssh (priority 200) denies"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(loadT(t, aclTopo(tt.platform, tt.subnet, tt.nic)))
			f, err := e.NewFlow(tt.from, "b1", tt.proto, tt.port)
			if err != nil {
				t.Fatal(err)
			}
			tr := e.Trace(f)
			if tr.Result != tt.result || tr.Reason != tt.wantReason {
				t.Fatalf("got %s %s, want %s %s\n%s", tr.Result, tr.Reason, tt.result, tt.wantReason, render(tr))
			}
			var last string
			for _, s := range tr.Hops[len(tr.Hops)-1].Steps {
				if s.Kind == StepACL {
					last = s.Detail
				}
			}
			if got := strings.Join(aclDetails(tr.Hops[len(tr.Hops)-1]), "; "); tt.aclSteps != "" && got != tt.aclSteps {
				t.Errorf("ACL steps %q, want %q", got, tt.aclSteps)
			}
			if tt.decidedBy != "" && last != tt.decidedBy {
				t.Errorf("decided by %q, want %q\n%s", last, tt.decidedBy, render(tr))
			}
		})
	}
}

// §5.7: replies of an allowed flow are allowed, whatever the ACLs say.
func TestTraceReturn(t *testing.T) {
	t.Run("§5.7 stateful: the reply passes a deny-all ACL", func(t *testing.T) {
		n := loadT(t, aclTopo("windows-sdn", "", ""))
		// a1 denies everything inbound: the reply from b1 must still pass.
		n.VirtualNetworks["A"].Subnets["s1"].AccessControlList = n.AccessControlLists["deny-all-in"]
		e := New(n)
		tr := traceT(t, e, "a1", "b1", 443)
		if tr.Result != Delivered {
			t.Fatalf("request: %s", render(tr))
		}
		rep := e.TraceReturn(tr)
		if rep.Result != Delivered || rep.Asymmetry != "" || !rep.Flow.Reply {
			t.Errorf("reply:\n%s", render(rep))
		}
		if via(rep) != "b1,a1" {
			t.Errorf("reply via %s, want b1,a1", via(rep))
		}
	})
	t.Run("§5.7 asymmetric: the reply bypasses the appliance", func(t *testing.T) {
		e := New(loadT(t, aclTopo("windows-sdn", "", "")))
		tr := traceT(t, e, "c1", "b1", 443)
		if via(tr) != "c1,nva,b1" {
			t.Fatalf("request via %s\n%s", via(tr), render(tr))
		}
		rep := e.TraceReturn(tr)
		if rep.Result != Dropped || rep.Reason != NotPeered {
			// B has no route to C at all: the reply cannot come back.
			t.Errorf("reply:\n%s", render(rep))
		}
	})
	t.Run("§5.7 asymmetric: the reply goes direct while the request used the appliance", func(t *testing.T) {
		n := loadT(t, aclTopo("windows-sdn", "", ""))
		// Peer B and C directly: the request still uses C's route to the
		// appliance, the reply takes the direct peering.
		n.VirtualNetworks["B"].Peerings["b-to-c"] = &topology.Peering{Name: "b-to-c", RemoteVirtualNetwork: "C", AllowVirtualNetworkAccess: true}
		n.VirtualNetworks["C"].Peerings["c-to-b"] = &topology.Peering{Name: "c-to-b", RemoteVirtualNetwork: "B", AllowVirtualNetworkAccess: true}
		e := New(n)
		tr := traceT(t, e, "c1", "b1", 443)
		rep := e.TraceReturn(tr)
		if rep.Result != Delivered || !strings.Contains(rep.Asymmetry, "bypasses nva") {
			t.Errorf("reply asymmetry %q\n%s", rep.Asymmetry, render(rep))
		}
		// A load balancer elsewhere named like the appliance does not
		// make the appliance's hop a load balancer's.
		sub := n.VirtualNetworks["B"].SortedSubnets()[0]
		a4 := sub.AddressPrefix.Addr().As4()
		a4[3] = 200
		n.VirtualNetworks["B"].LoadBalancers = map[string]*topology.LoadBalancer{"nva": {Name: "nva", Subnet: sub, FrontendIPAddress: netip.AddrFrom4(a4)}}
		e = New(n)
		if rep := e.TraceReturn(traceT(t, e, "c1", "b1", 443)); !strings.Contains(rep.Asymmetry, "bypasses nva") {
			t.Errorf("with a load balancer nva in B, reply asymmetry %q", rep.Asymmetry)
		}
	})
	t.Run("a dropped request has no reply", func(t *testing.T) {
		e := New(loadT(t, chainYAML))
		rep := e.TraceReturn(traceT(t, e, "a1", "c1", 443))
		if rep.Result != Dropped || !strings.Contains(rep.Explanation, "no reply") {
			t.Errorf("reply:\n%s", render(rep))
		}
	})
}

// aclDetails returns the details of h's ACL steps, in order.
func aclDetails(h Hop) []string {
	var out []string
	for _, s := range h.Steps {
		if s.Kind == StepACL {
			out = append(out, s.Detail)
		}
	}
	return out
}

func TestACLOutboundOrder(t *testing.T) {
	// azure outbound is checked NIC NSG, then subnet NSG (docs/semantics.md#acls).
	n := loadT(t, aclTopo("azure", "", ""))
	a := n.VirtualNetworks["A"]
	a.Subnets["s1"].AccessControlList = n.AccessControlLists["allow-vnet"]
	a.VirtualMachines["a1"].AccessControlList = n.AccessControlLists["deny-icmp"]
	tr := traceT(t, New(n), "a1", "b1", 443)
	want := "deny-icmp/AllowVnetOutBound (priority 65000) allows; allow-vnet/AllowVnetOutBound (priority 65000) allows"
	if got := strings.Join(aclDetails(tr.Hops[0]), "; "); got != want {
		t.Errorf("outbound ACL steps %q, want %q", got, want)
	}
}

// azure's VirtualNetwork service tag holds the prefixes of the user routes
// of the VNet's subnets, except a default route; windows-sdn's does not.
func TestVirtualNetworkTag(t *testing.T) {
	// nsg guards spoke2's subnet with nothing but azure's default rules.
	nsg := func(n *topology.Network) {
		a := &topology.ACL{Name: "nsg"}
		n.AccessControlLists["nsg"] = a
		n.VirtualNetworks["spoke2"].Subnets["app"].AccessControlList = a
	}
	t.Run("azure: spoke to spoke through the hub appliance passes AllowVnetInBound", func(t *testing.T) {
		n := loadT(t, hs("PLATFORM", "azure"))
		nsg(n)
		tr := traceT(t, New(n), "app1", "app2", 443)
		last := aclDetails(tr.Hops[len(tr.Hops)-1])
		if tr.Result != Delivered || len(last) != 1 || last[0] != "nsg/AllowVnetInBound (priority 65000) allows" {
			t.Errorf("got %s %s, ACL steps %q\n%s", tr.Result, tr.Reason, last, render(tr))
		}
	})
	tests := []struct {
		name     string
		platform string
		route    string // spoke2's user route prefix
		addr     string
		in       bool
	}{
		{"azure: a user route's prefix", "azure", "10.0.0.0/8", "10.1.1.4", true},
		{"azure: the VNet's own range", "azure", "10.0.0.0/8", "10.2.1.4", true},
		{"azure: outside every route and range", "azure", "10.0.0.0/8", "172.16.0.1", false},
		{"azure: a user default route is left out", "azure", "0.0.0.0/0", "8.8.8.8", false},
		{"windows-sdn: user routes are left out", "windows-sdn", "10.0.0.0/8", "10.1.1.4", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := loadT(t, hs("PLATFORM", tt.platform))
			n.RouteTables["rt-spoke"].Routes[0].AddressPrefix = pfx(tt.route)
			if got := New(n).vnetTag(n.VirtualNetworks["spoke2"]).contains(addr(tt.addr)); got != tt.in {
				t.Errorf("spoke2's tag holds %s: %v, want %v", tt.addr, got, tt.in)
			}
		})
	}
}

// TestMatchAddrServiceTags pins each service tag's address set: VirtualNetwork
// is the tag set passed in, Internet everything outside it, and
// AzureLoadBalancer only the health-probe source.
func TestMatchAddrServiceTags(t *testing.T) {
	vnetTag := newPrefixSet([]netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")})
	tests := []struct {
		name string
		m    topology.AddressMatch
		addr string
		want bool
	}{
		{"VirtualNetwork holds the tag's ranges", topology.AddressMatch{Tag: topology.TagVirtualNetwork}, "10.1.2.3", true},
		{"VirtualNetwork holds nothing else", topology.AddressMatch{Tag: topology.TagVirtualNetwork}, "10.2.0.4", false},
		{"Internet holds addresses outside VirtualNetwork", topology.AddressMatch{Tag: topology.TagInternet}, "10.2.0.4", true},
		{"Internet holds no VirtualNetwork address", topology.AddressMatch{Tag: topology.TagInternet}, "10.1.2.3", false},
		{"AzureLoadBalancer holds the probe source", topology.AddressMatch{Tag: topology.TagAzureLoadBalancer}, "168.63.129.16", true},
		{"AzureLoadBalancer holds nothing else", topology.AddressMatch{Tag: topology.TagAzureLoadBalancer}, "168.63.129.17", false},
		{"* holds everything", topology.AnyAddress, "192.0.2.1", true},
		{"the zero entry holds nothing", topology.AddressMatch{}, "0.0.0.0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchAddr(tt.m, netip.MustParseAddr(tt.addr), vnetTag); got != tt.want {
				t.Errorf("matchAddr(%s, %s) = %v, want %v", tt.m, tt.addr, got, tt.want)
			}
		})
	}
}
