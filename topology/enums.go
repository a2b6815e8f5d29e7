package topology

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// enum is the shared spelling table behind every closed vocabulary of the
// topology format, so that String, Parse and MarshalText agree.
type enum[T ~uint8] []string

func (e enum[T]) str(v T) string {
	if int(v) < len(e) && e[v] != "" {
		return e[v]
	}
	return "invalid(" + strconv.Itoa(int(v)) + ")"
}

func (e enum[T]) parse(kind, s string) (T, error) {
	for i, name := range e {
		if name != "" && name == s {
			return T(i), nil
		}
	}
	return 0, fmt.Errorf("%s is not a valid %s (want %s)", diag.Quote(s), kind, strings.Join(e.names(), ", "))
}

func (e enum[T]) names() []string {
	var out []string
	for _, n := range e {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Platform is the SDN platform whose rules apply. The zero value is
// windows-sdn, the contract's default.
type Platform uint8

const (
	WindowsSDN Platform = iota // Windows Server SDN Network Controller
	Azure                      // Azure virtual networks
)

var platformNames = enum[Platform]{"windows-sdn", "azure"}

func (p Platform) String() string               { return platformNames.str(p) }
func (p Platform) MarshalText() ([]byte, error) { return []byte(p.String()), nil }
func ParsePlatform(s string) (Platform, error)  { return platformNames.parse("platform", s) }

// Protocol is an IP protocol as ACL rules, load balancer rules and flows
// name it. All matches every protocol.
type Protocol uint8

const (
	ProtocolAll Protocol = iota // every protocol; in a flow, "any"
	TCP
	UDP
	ICMP
)

var protocolNames = enum[Protocol]{"All", "TCP", "UDP", "ICMP"}

func (p Protocol) String() string               { return protocolNames.str(p) }
func (p Protocol) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// ParseProtocol parses a protocol name in any letter case: Network
// Controller writes TCP, Azure's ARM and az output Tcp, and people tcp.
func ParseProtocol(s string) (Protocol, error) {
	for i, name := range protocolNames {
		if strings.EqualFold(name, s) {
			return Protocol(i), nil
		}
	}
	return protocolNames.parse("protocol", s)
}

// HasPorts reports whether packets of p carry ports.
func (p Protocol) HasPorts() bool { return p == TCP || p == UDP }

// Action is what an ACL rule or default does with a packet.
type Action uint8

const (
	Allow Action = iota
	Deny
)

var actionNames = enum[Action]{"Allow", "Deny"}

func (a Action) String() string               { return actionNames.str(a) }
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }
func ParseAction(s string) (Action, error)    { return actionNames.parse("action", s) }

// Direction is the direction an ACL rule applies to, seen from the VM.
type Direction uint8

const (
	Inbound Direction = iota
	Outbound
)

var directionNames = enum[Direction]{"Inbound", "Outbound"}

func (d Direction) String() string               { return directionNames.str(d) }
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
func ParseDirection(s string) (Direction, error) { return directionNames.parse("rule type", s) }

// NextHopType is where a route sends a packet. User routes may use
// VnetLocal, VirtualNetworkGateway, VirtualAppliance, Internet and None;
// VNetPeering appears only in effective (system) routes.
type NextHopType uint8

const (
	NextHopVnetLocal NextHopType = iota
	NextHopVNetPeering
	NextHopVirtualNetworkGateway
	NextHopVirtualAppliance
	NextHopInternet
	NextHopNone
)

var nextHopNames = enum[NextHopType]{"VnetLocal", "VNetPeering", "VirtualNetworkGateway", "VirtualAppliance", "Internet", "None"}

func (t NextHopType) String() string               { return nextHopNames.str(t) }
func (t NextHopType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// ParseNextHopType parses a user route's next hop type; VNetPeering is not
// accepted there because users cannot write peering routes.
func ParseNextHopType(s string) (NextHopType, error) {
	t, err := nextHopNames.parse("next hop type", s)
	if err == nil && t == NextHopVNetPeering {
		return 0, fmt.Errorf("%s is a system next hop type; user routes take VnetLocal, VirtualNetworkGateway, VirtualAppliance, Internet or None", diag.Quote(s))
	}
	return t, err
}

// GatewayType is the kind of virtual network gateway.
type GatewayType uint8

const (
	Vpn GatewayType = iota
	ExpressRoute
)

var gatewayTypeNames = enum[GatewayType]{"Vpn", "ExpressRoute"}

func (t GatewayType) String() string               { return gatewayTypeNames.str(t) }
func (t GatewayType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }
func ParseGatewayType(s string) (GatewayType, error) {
	return gatewayTypeNames.parse("gateway type", s)
}

// LoadBalancerSKU is an internal load balancer's SKU. The zero value is
// Standard, the contract's default.
type LoadBalancerSKU uint8

const (
	Standard LoadBalancerSKU = iota
	Basic
)

var lbSKUNames = enum[LoadBalancerSKU]{"Standard", "Basic"}

func (s LoadBalancerSKU) String() string               { return lbSKUNames.str(s) }
func (s LoadBalancerSKU) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
func ParseLoadBalancerSKU(s string) (LoadBalancerSKU, error) {
	return lbSKUNames.parse("load balancer sku", s)
}

// PortRange is an inclusive range of TCP or UDP ports. AnyPort, 0-65535,
// is what "*" means.
type PortRange struct {
	Lo, Hi uint16
}

// AnyPort is the range "*".
var AnyPort = PortRange{0, 65535}

// ParsePortRange parses "*", "N" or "N-M".
func ParsePortRange(s string) (PortRange, error) {
	if s == "*" {
		return AnyPort, nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := parsePort(lo)
	if err != nil {
		return PortRange{}, fmt.Errorf("%s is not a port range (want \"*\", \"N\" or \"N-M\"): %v", diag.Quote(s), err)
	}
	b := a
	if isRange {
		if b, err = parsePort(hi); err != nil {
			return PortRange{}, fmt.Errorf("%s is not a port range (want \"*\", \"N\" or \"N-M\"): %v", diag.Quote(s), err)
		}
	}
	if a > b {
		return PortRange{}, fmt.Errorf("%s is not a port range: %d is above %d", diag.Quote(s), a, b)
	}
	return PortRange{a, b}, nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
	if err != nil {
		return 0, fmt.Errorf("%s is not a port from 0 to 65535", diag.Quote(s))
	}
	return uint16(n), nil
}

// Contains reports whether port lies in r.
func (r PortRange) Contains(port uint16) bool { return r.Lo <= port && port <= r.Hi }

// IsAny reports whether r is every port.
func (r PortRange) IsAny() bool { return r == AnyPort }

// String returns "*", "N" or "N-M".
func (r PortRange) String() string {
	switch {
	case r.IsAny():
		return "*"
	case r.Lo == r.Hi:
		return strconv.Itoa(int(r.Lo))
	}
	return fmt.Sprintf("%d-%d", r.Lo, r.Hi)
}

// MarshalText implements encoding.TextMarshaler.
func (r PortRange) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// ServiceTag is a platform-defined name for a set of addresses that an ACL
// rule may match instead of a prefix. What each set holds depends on where
// the rule is applied; the simulator computes it (docs/semantics.md).
type ServiceTag uint8

const (
	NoTag                ServiceTag = iota // the entry is "*" or a prefix
	TagVirtualNetwork                      // the VNet's ranges, its peers' and the on-premises ranges it learns
	TagInternet                            // every address outside the VirtualNetwork tag
	TagAzureLoadBalancer                   // the platform's health-probe source, 168.63.129.16
)

var serviceTagNames = enum[ServiceTag]{"", "VirtualNetwork", "Internet", "AzureLoadBalancer"}

func (t ServiceTag) String() string               { return serviceTagNames.str(t) }
func (t ServiceTag) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// ParseServiceTag parses a service tag's name, spelled as the platform
// spells it.
func ParseServiceTag(s string) (ServiceTag, error) {
	return serviceTagNames.parse("service tag", s)
}

// ServiceTags returns every service tag an ACL rule may name, in
// declaration order.
func ServiceTags() []ServiceTag {
	return []ServiceTag{TagVirtualNetwork, TagInternet, TagAzureLoadBalancer}
}

// ParseAddressMatch parses an ACL rule address: "*", a service tag or a
// CIDR prefix. A prefix with host bits set is accepted as written; callers
// that care compare it with its Masked form.
func ParseAddressMatch(s string) (AddressMatch, error) {
	if s == "*" {
		return AnyAddress, nil
	}
	if t, err := ParseServiceTag(s); err == nil {
		return AddressMatch{Tag: t}, nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return AddressMatch{}, fmt.Errorf("%s is not \"*\", a service tag (%s) or an IP prefix",
			diag.Quote(s), strings.Join(serviceTagNames.names(), ", "))
	}
	return AddressMatch{Prefix: p}, nil
}

// StringsOf returns each item's String, in order: the spellings of a list
// of prefixes, address matches or port ranges.
func StringsOf[T fmt.Stringer](items []T) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.String()
	}
	return out
}
