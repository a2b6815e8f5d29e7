package topology

// Rules holds every behaviour that differs between platforms, in one place,
// so that checks and the engine ask a question of the platform instead of
// scattering "if azure" through the code.
type Rules struct {
	// ACLPriorityMin and ACLPriorityMax bound a rule priority; outside is
	// acl-priority-invalid.
	ACLPriorityMin, ACLPriorityMax int
	// ReservedPriorities reports whether a priority lies in a band the
	// platform reserves (acl-priority-reserved); nil means none is reserved.
	ReservedPriorities func(priority int) bool
	// PriorityUniquePerDirection is true when priorities must be unique per
	// direction (azure NSGs) rather than per ACL (windows-sdn).
	PriorityUniquePerDirection bool
	// NSGDefaultRules is true when ACLs are read as NSGs with the default
	// AllowVnet / AllowAzureLoadBalancer / AllowInternet / DenyAll rules.
	NSGDefaultRules bool
	// VirtualNetworkTagHasUserRoutes is true when the VirtualNetwork service
	// tag also holds the prefixes of the VNet's user routes, default routes
	// excepted (azure).
	VirtualNetworkTagHasUserRoutes bool
	// PeeredOverlapIsError is true when a VNet overlapping a VNet already
	// peered with its remote is an error (azure) rather than a warning.
	PeeredOverlapIsError bool
	// ControllerMustMatch is true when peered VNets must share a Network
	// Controller (windows-sdn).
	ControllerMustMatch bool
	// AddressSpaceLockedWhilePeered is true when a VNet that owns or is the
	// remote of a peering object cannot add or remove address ranges
	// (windows-sdn); azure allows it and tracks sync levels instead.
	AddressSpaceLockedWhilePeered bool
	// PeeringSync is true when address-space changes need syncPeering
	// (azure).
	PeeringSync bool
	// BasicGatewayNoTransit is true when a Basic gateway cannot offer
	// gateway transit (azure).
	BasicGatewayNoTransit bool
	// DefaultInternetRoute is true when every subnet has 0.0.0.0/0 →
	// Internet and the reserved private ranges → None (azure).
	DefaultInternetRoute bool
	// LocalRoutesBeatGatewayRoutes is true when VnetLocal and VNetPeering
	// system routes win over more-specific gateway routes (azure).
	LocalRoutesBeatGatewayRoutes bool
	// BasicILBNotOverGlobalPeering is true when a Basic internal load
	// balancer cannot be reached across regions (azure).
	BasicILBNotOverGlobalPeering bool
	// FirstHostOffset is the offset of a subnet's first usable host
	// address from its network address: azure reserves .0-.3, the
	// windows-sdn distributed router takes .1.
	FirstHostOffset int
}

// Rules returns the platform's rules.
func (p Platform) Rules() Rules {
	if p == Azure {
		return Rules{
			ACLPriorityMin:                 100,
			ACLPriorityMax:                 4096,
			PriorityUniquePerDirection:     true,
			NSGDefaultRules:                true,
			VirtualNetworkTagHasUserRoutes: true,
			PeeredOverlapIsError:           true,
			PeeringSync:                    true,
			BasicGatewayNoTransit:          true,
			DefaultInternetRoute:           true,
			LocalRoutesBeatGatewayRoutes:   true,
			BasicILBNotOverGlobalPeering:   true,
			FirstHostOffset:                4,
		}
	}
	return Rules{
		ACLPriorityMin: 1,
		ACLPriorityMax: 65535,
		// User priorities are 101-65000; the docs' own examples use 100.
		ReservedPriorities:            func(p int) bool { return p <= 100 || p > 65000 },
		ControllerMustMatch:           true,
		AddressSpaceLockedWhilePeered: true,
		FirstHostOffset:               2,
	}
}
