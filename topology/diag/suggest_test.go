package diag

import "testing"

func TestSuggest(t *testing.T) {
	peering := []string{"remoteVirtualNetwork", "allowVirtualNetworkAccess", "allowForwardedTraffic", "allowGatewayTransit", "useRemoteGateways"}
	vnet := []string{"addressSpace", "networkController", "region", "subnets", "gateway", "virtualMachines", "loadBalancers", "peerings"}
	for _, tc := range []struct {
		name, word string
		keys       []string
		want       string
	}{
		// typing slips
		{"a letter missing", "adressSpace", vnet, "addressSpace"},
		{"two letters swapped", "addresSapce", vnet, "addressSpace"},
		{"a letter too many", "subnetss", vnet, "subnets"},
		{"a letter wrong", "peerinks", vnet, "peerings"},
		{"letter case only", "AddressSpace", vnet, "addressSpace"},
		{"a prefix of the key", "remote", peering, "remoteVirtualNetwork"},
		{"the key and more", "gatewayName", vnet, "gateway"},
		{"the closest of several", "allowGatewayTransitt", peering, "allowGatewayTransit"},
		// not close enough to guess
		{"unrelated word", "colour", vnet, ""},
		{"too short to be a prefix", "gw", vnet, ""},
		{"half the letters wrong", "ragion2x", vnet, ""},
		{"nothing to choose from", "name", nil, ""},
		{"the word itself is no suggestion", "region", vnet, ""},
		{"empty word", "", vnet, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Suggest(tc.word, tc.keys); got != tc.want {
				t.Errorf("Suggest(%q) = %q, want %q", tc.word, got, tc.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"abc", "abc", 0},
		{"abc", "acb", 1}, // a swap is one edit
		{"kitten", "sitting", 3},
		{"adressspace", "addressspace", 1},
		{"ünïcode", "unicode", 2},
	} {
		if got := EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
