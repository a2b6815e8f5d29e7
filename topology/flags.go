package topology

// PeeringFlag names one of the four flags of a peering object. The table
// behind it is the one list of the flags: the loader, the encoder, the
// schema test, the importers, the events, the diff and the diagrams all
// read it, so a flag is added or renamed in one place.
type PeeringFlag uint8

const (
	FlagAllowVirtualNetworkAccess PeeringFlag = iota
	FlagAllowForwardedTraffic
	FlagAllowGatewayTransit
	FlagUseRemoteGateways

	// NumPeeringFlags is the number of flags, for arrays indexed by flag.
	NumPeeringFlags = iota
)

// peeringFlags describes each flag: its key in files and events, the
// value it has when not written, the short label a diagram writes when
// it differs from that value, what it means (schema.json's description,
// which a test holds to it) and the Peering field that holds it.
var peeringFlags = [NumPeeringFlags]struct {
	key   string
	def   bool
	label string
	doc   string
	field func(*Peering) *bool
}{
	{"allowVirtualNetworkAccess", true, "no-access",
		"Whether traffic may flow between the two VNets; false on either side blocks both directions.",
		func(p *Peering) *bool { return &p.AllowVirtualNetworkAccess }},
	{"allowForwardedTraffic", false, "fwd",
		"Whether this VNet accepts, over this peering, packets whose source is outside the remote's address space (forwarded by an appliance).",
		func(p *Peering) *bool { return &p.AllowForwardedTraffic }},
	{"allowGatewayTransit", false, "gw-transit",
		"Whether the remote may use this VNet's gateway.",
		func(p *Peering) *bool { return &p.AllowGatewayTransit }},
	{"useRemoteGateways", false, "use-gw",
		"Whether this VNet uses the remote's gateway (gateway transit).",
		func(p *Peering) *bool { return &p.UseRemoteGateways }},
}

// PeeringFlags lists the flags in the order files, events and reports
// write them.
func PeeringFlags() [NumPeeringFlags]PeeringFlag {
	var out [NumPeeringFlags]PeeringFlag
	for i := range out {
		out[i] = PeeringFlag(i)
	}
	return out
}

// PeeringFlagKeys returns the keys of PeeringFlags, in order.
func PeeringFlagKeys() []string {
	var out []string
	for _, f := range PeeringFlags() {
		out = append(out, f.Key())
	}
	return out
}

// Key returns the flag's key in topology files and events, e.g.
// "allowForwardedTraffic".
func (f PeeringFlag) Key() string { return peeringFlags[f].key }

// String returns Key.
func (f PeeringFlag) String() string { return f.Key() }

// Default returns the value of the flag when a file or a createPeering
// event does not write it.
func (f PeeringFlag) Default() bool { return peeringFlags[f].def }

// Label returns the short label a diagram writes when the flag is not its
// Default, e.g. "fwd", or "no-access" for access turned off.
func (f PeeringFlag) Label() string { return peeringFlags[f].label }

// Doc returns what the flag means, in one sentence.
func (f PeeringFlag) Doc() string { return peeringFlags[f].doc }

// Of returns the flag's value on p.
func (f PeeringFlag) Of(p *Peering) bool { return *peeringFlags[f].field(p) }

// Set sets the flag on p to v.
func (f PeeringFlag) Set(p *Peering, v bool) { *peeringFlags[f].field(p) = v }

// NewPeering returns a peering object called name toward remote with
// every flag at its Default.
func NewPeering(name, remote string) *Peering {
	p := &Peering{Name: name, RemoteVirtualNetwork: remote}
	for _, f := range PeeringFlags() {
		f.Set(p, f.Default())
	}
	return p
}
