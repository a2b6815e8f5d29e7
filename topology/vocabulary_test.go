package topology_test

import (
	"fmt"
	"testing"

	"github.com/vnetsim/vnetsim/internal/contracttest"
	"github.com/vnetsim/vnetsim/topology"
)

// names returns the String of every value from first to last.
func names[T interface {
	~uint8
	fmt.Stringer
}](first, last T) []string {
	var out []string
	for v := first; v <= last; v++ {
		out = append(out, v.String())
	}
	return out
}

// TestVocabularyMatchesContract holds the topology format's enumerations,
// ACL service tags included, to docs/reference/vocabularies.md.
func TestVocabularyMatchesContract(t *testing.T) {
	states := append(names(topology.Initiated, topology.Disconnected),
		topology.Absent.String()) // in expectations only
	for _, tc := range []struct {
		title string
		got   []string
	}{
		{"Peering states", states},
		{"Azure sync levels", names(topology.FullyInSync, topology.LocalAndRemoteNotInSync)},
		{"Platforms", names(topology.WindowsSDN, topology.Azure)},
		{"Protocols", names(topology.ProtocolAll, topology.ICMP)},
		{"ACL actions", names(topology.Allow, topology.Deny)},
		{"ACL rule types", names(topology.Inbound, topology.Outbound)},
		{"Gateway types", names(topology.Vpn, topology.ExpressRoute)},
		{"Load balancer SKUs", names(topology.Standard, topology.Basic)},
		{"Next hop types", names(topology.NextHopVnetLocal, topology.NextHopNone)},
	} {
		t.Run(tc.title, func(t *testing.T) {
			contracttest.Match(t, tc.title, tc.got)
			// Every name parses back.
			for _, name := range tc.got {
				if tc.title == "Peering states" || tc.title == "Azure sync levels" {
					break
				}
				if !parses(tc.title, name) {
					t.Errorf("%s %q does not parse", tc.title, name)
				}
			}
		})
	}
	var tags []string
	for _, tag := range topology.ServiceTags() {
		tags = append(tags, tag.String())
		if m, err := topology.ParseAddressMatch(tag.String()); err != nil || m.Tag != tag {
			t.Errorf("ParseAddressMatch(%q) = %+v, %v", tag, m, err)
		}
	}
	contracttest.Match(t, "ACL service tags", tags)
}

// parses reports whether the parser of a vocabulary accepts name.
func parses(title, name string) bool {
	var err error
	switch title {
	case "Platforms":
		_, err = topology.ParsePlatform(name)
	case "Protocols":
		_, err = topology.ParseProtocol(name)
	case "ACL actions":
		_, err = topology.ParseAction(name)
	case "ACL rule types":
		_, err = topology.ParseDirection(name)
	case "Gateway types":
		_, err = topology.ParseGatewayType(name)
	case "Load balancer SKUs":
		_, err = topology.ParseLoadBalancerSKU(name)
	case "Next hop types":
		if name == topology.NextHopVNetPeering.String() {
			return true // a system route's type; user routes refuse it
		}
		_, err = topology.ParseNextHopType(name)
	}
	return err == nil
}
