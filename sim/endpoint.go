package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// EndpointKind says what an endpoint name resolved to.
type EndpointKind uint8

const (
	EndpointVM           EndpointKind = iota + 1 // a virtual machine
	EndpointLoadBalancer                         // an internal load balancer frontend
	EndpointHost                                 // a named on-premises host
	EndpointSubnet                               // VNET/SUBNET
	EndpointAddress                              // a literal IP address
)

var endpointKindNames = [...]string{"", "vm", "loadBalancer", "host", "subnet", "address"}

// String returns vm, loadBalancer, host, subnet or address.
func (k EndpointKind) String() string {
	if k > 0 && int(k) < len(endpointKindNames) {
		return endpointKindNames[k]
	}
	return "invalid"
}

// Endpoint is a resolved endpoint name (docs/reference/topology.md).
type Endpoint struct {
	Name string // as written
	Kind EndpointKind
	// Addr is the address the endpoint sends from and is reached at: the
	// VM's or frontend's address, the host's, the literal address, or a
	// subnet's first usable host address.
	Addr netip.Addr
	// VirtualNetwork and Subnet locate the endpoint inside a VNet; both are
	// "" for on-premises endpoints and for a literal address that no VNet
	// (or more than one VNet) holds.
	VirtualNetwork, Subnet string
	// OnPremises is the site of an on-premises endpoint.
	OnPremises string
	// Prefix is the subnet's prefix for a subnet endpoint.
	Prefix netip.Prefix
	// VM is the VM that holds Addr, when one does (a VM endpoint, or a
	// literal address held by a VM); it sends through its NIC ACL.
	VM string
}

// located reports whether the endpoint can send: it lies in a VNet subnet
// or an on-premises site.
func (ep Endpoint) located() bool {
	return ep.Subnet != "" || ep.OnPremises != ""
}

// Resolve resolves an endpoint name: a VM name, a load balancer name, an
// on-premises host name, VNET/SUBNET or a literal IP address, in that
// order (docs/reference/topology.md). No name is an IP address (topology.CheckName), so a literal
// address is read as one first and no object can shadow it. A name that
// several objects of the first matching kind carry is an error listing the
// candidates; an unknown name is an error.
func (e *Engine) Resolve(name string) (Endpoint, error) {
	if a, err := netip.ParseAddr(name); err == nil {
		return e.locateAddr(name, a), nil
	}
	var cands []Endpoint
	for _, kind := range namedKinds {
		if cands = e.named(kind, name); len(cands) > 0 {
			break
		}
	}
	if len(cands) == 0 {
		if vn, sn, ok := strings.Cut(name, "/"); ok {
			if v := e.net.VirtualNetworks[vn]; v != nil {
				if s := v.Subnets[sn]; s != nil {
					cands = append(cands, Endpoint{Name: name, Kind: EndpointSubnet, Addr: e.firstHost(s.AddressPrefix),
						VirtualNetwork: vn, Subnet: sn, Prefix: s.AddressPrefix.Masked()})
				}
			}
		}
	}
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
	default:
		var where []string
		for _, c := range cands {
			where = append(where, c.describe())
		}
		return Endpoint{}, fmt.Errorf("endpoint %q is ambiguous: it names %s", name, strings.Join(where, ", "))
	}
	return Endpoint{}, fmt.Errorf("unknown endpoint %q: not a VM, load balancer, on-premises host, VNET/SUBNET or IP address%s",
		name, didYouMean(name, e.endpointNames()))
}

// SplitEndpoints splits "FROM,TO", the pair render --trace takes, into its
// two endpoint names. No name holds a comma or white space at either end
// (topology.CheckName), so the one comma separates them and the spaces
// around it are dropped.
func SplitEndpoints(spec string) (from, to string, err error) {
	parts := strings.Split(spec, ",")
	if len(parts) != 2 || strings.TrimSpace(parts[0]) == "" || strings.TrimSpace(parts[1]) == "" {
		return "", "", fmt.Errorf("%q is not FROM,TO: want two endpoint names separated by one comma", spec)
	}
	return strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), nil
}

// endpointNames returns every name an endpoint can be given, sorted: VMs,
// load balancers, on-premises hosts and VNET/SUBNET. Only an unknown name
// asks, so it scans the network rather than build the name index.
func (e *Engine) endpointNames() []string {
	var out []string
	for _, v := range e.net.VirtualNetworks {
		for name := range v.VirtualMachines {
			out = append(out, name)
		}
		for name := range v.LoadBalancers {
			out = append(out, name)
		}
		for sn := range v.Subnets {
			out = append(out, v.Name+"/"+sn)
		}
	}
	for _, o := range e.net.OnPremises {
		for name := range o.Hosts {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// didYouMean returns "; did you mean X?" when a candidate is close to
// name (diag.Suggest), else "".
func didYouMean(name string, candidates []string) string {
	if s := diag.Suggest(name, candidates); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// describe names the endpoint's kind and place for error messages.
func (ep Endpoint) describe() string {
	switch {
	case ep.OnPremises != "":
		return fmt.Sprintf("%s in on-premises site %s", ep.Kind, ep.OnPremises)
	case ep.VirtualNetwork != "":
		return fmt.Sprintf("%s in virtual network %s", ep.Kind, ep.VirtualNetwork)
	}
	return ep.Kind.String()
}

// locateAddr places a literal address: the VM or frontend holding it, else
// the subnet containing it, else the on-premises site containing it. When
// several VNets could hold it (overlapping, unpeered VNets), it is left
// unlocated: it can be a destination but not a source.
func (e *Engine) locateAddr(name string, a netip.Addr) Endpoint {
	a = a.Unmap()
	ep := Endpoint{Name: name, Kind: EndpointAddress, Addr: a}
	if vs := e.holdingVNets(a); len(vs) == 1 {
		h := e.vxNamed(vs[0]).holders[a]
		ep.VirtualNetwork = vs[0]
		if h.vm != nil {
			ep.Subnet, ep.VM = h.vm.Subnet.Name, h.vm.Name
		} else if h.lb != nil && h.lb.Subnet != nil {
			ep.Subnet = h.lb.Subnet.Name
		}
		return ep
	}
	var found []*topology.Subnet
	for _, v := range e.vnetsContaining(a) {
		if s := e.subnetOf(v, a); s != nil {
			found = append(found, s)
		}
	}
	if len(found) == 1 {
		ep.VirtualNetwork, ep.Subnet = found[0].VirtualNetwork.Name, found[0].Name
		return ep
	}
	if len(found) == 0 {
		if o := e.siteOf(a); o != nil {
			ep.OnPremises = o.Name
		}
	}
	return ep
}

// firstHost returns the first usable host address of p on this platform,
// or p's last address when p is too small.
func (e *Engine) firstHost(p netip.Prefix) netip.Addr {
	p = p.Masked()
	a := p.Addr()
	for range e.rules.FirstHostOffset {
		n := a.Next()
		if !n.IsValid() || !p.Contains(n) {
			break
		}
		a = n
	}
	return a
}

// A traced TCP or UDP packet's destination port runs from MinPort to
// MaxPort: port 0 is reserved, and no packet is sent to it.
const (
	MinPort = 1
	MaxPort = 65535
)

// CheckPort checks a destination port a user gave: TCP and UDP need one
// from MinPort to MaxPort; ICMP and All packets carry none, so a port given
// with them is refused. given says whether a port was given; the result is
// 0 for ICMP and All.
func CheckPort(proto topology.Protocol, port uint64, given bool) (uint16, error) {
	if !proto.HasPorts() {
		if given {
			return 0, fmt.Errorf("%s packets carry no port: give a port only with TCP or UDP", proto)
		}
		return 0, nil
	}
	if port < MinPort || port > MaxPort {
		return 0, fmt.Errorf("%d is not a destination port: want %d-%d", port, MinPort, MaxPort)
	}
	return uint16(port), nil
}

// CheckFamilies checks that a packet from src to dst can exist: both
// addresses are IPv4 or both IPv6. No platform translates between the two
// families, so an IPv4 source never reaches an IPv6 address
// (docs/semantics.md#endpoints).
func CheckFamilies(src, dst netip.Addr) error {
	if family(src) == family(dst) {
		return nil
	}
	return fmt.Errorf("source %s is %s and destination %s is %s: a packet keeps its address family, so name a source and a destination of the same family",
		src, familyName(src), dst, familyName(dst))
}

// familyName names a's address family: IPv4 or IPv6.
func familyName(a netip.Addr) string {
	if a.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// NewFlow resolves from and to and returns the flow between them. TCP and
// UDP need a port from MinPort to MaxPort (see CheckPort); ICMP and All
// flows carry no port, and port is ignored. The source must be located: a
// VM, a subnet, an on-premises host or an address inside exactly one VNet
// subnet or site, and of the destination's address family (CheckFamilies).
func (e *Engine) NewFlow(from, to string, proto topology.Protocol, port uint16) (Flow, error) {
	port, err := CheckPort(proto, uint64(port), false)
	if err != nil {
		return Flow{}, fmt.Errorf("port: %w", err)
	}
	src, err := e.Resolve(from)
	if err != nil {
		return Flow{}, fmt.Errorf("source: %w", err)
	}
	if !src.located() {
		return Flow{}, fmt.Errorf("source %q (%s) lies in no subnet or on-premises site, or in several VNets: name a VM or VNET/SUBNET instead", from, src.Addr)
	}
	dst, err := e.Resolve(to)
	if err != nil {
		return Flow{}, fmt.Errorf("destination: %w", err)
	}
	if err := CheckFamilies(src.Addr, dst.Addr); err != nil {
		return Flow{}, fmt.Errorf("%q to %q: %w", from, to, err)
	}
	f := Flow{From: from, To: to, Src: src.Addr, Dst: dst.Addr, Protocol: proto, Port: port}
	if dst.Kind == EndpointSubnet {
		f.DstSubnet = dst.VirtualNetwork + "/" + dst.Subnet
	}
	return f, nil
}

// source places the flow's sender: the endpoint From names when it sends
// from Src (or a subnet containing Src), else Src itself.
func (e *Engine) source(f Flow) Endpoint {
	if f.From != "" {
		if ep, err := e.Resolve(f.From); err == nil {
			switch {
			case ep.Addr == f.Src && ep.located():
				return ep
			case ep.Kind == EndpointSubnet && ep.Prefix.Contains(f.Src):
				ep.Addr = f.Src
				return ep
			}
		}
	}
	return e.locateAddr(f.Src.String(), f.Src)
}
