package topology

import (
	"slices"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology/diag"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name, in string
		errHas   string // "" when the name is fine
	}{
		{"a plain name", "spoke-1", ""},
		{"inner spaces, dots, underscores, colons", "web tier_1.v2:blue", ""},
		{"non-ASCII letters", "réseau-東京", ""},
		{"80 characters", strings.Repeat("a", 80), ""},
		{"GatewaySubnet", "GatewaySubnet", ""},
		{"looks like a version, not an address", "1.2.3", ""},

		{"empty", "", "cannot be empty"},
		{"81 characters", strings.Repeat("a", 81), "81 characters long; the limit is 80"},
		{"81 characters of two bytes each", strings.Repeat("é", 81), "the limit is 80"},
		{"leading space", " web", "white space"},
		{"trailing space", "web ", "white space"},
		{"trailing tab", "web\t", "white space"},
		{"trailing no-break space", "web\u00a0", "white space"},
		{"NUL", "we\x00b", "U+0000"},
		{"newline", "we\nb", "U+000A"},
		{"bidi override", "web\u202egnp.exe", "U+202E"},
		{"zero-width joiner", "we\u200db", "U+200D"},
		{"slash", "a/1", "separates VNET/SUBNET"},
		{"comma", "a,b", "separates FROM,TO"},
		{"an IPv4 address", "10.1.1.4", "is an IP address"},
		{"an IPv6 address", "fd00::4", "is an IP address"},
		{"a prefix", "10.1.0.0/16", "\"/\""},
		{"not UTF-8", "we\xffb", "not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckName(tt.in)
			switch {
			case tt.errHas == "" && err != nil:
				t.Errorf("CheckName(%q) = %v, want nil", tt.in, err)
			case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
				t.Errorf("CheckName(%q) = %v, want an error saying %q", tt.in, err, tt.errHas)
			}
		})
	}
}

// Every name of the file, map key or name field, follows CheckName: a
// bad one is invalid-value at its line (line 3 in each row), whatever
// object it names.
func TestNamesEverywhere(t *testing.T) {
	const vnet = "name: x\nvirtualNetworks:\n  A: {addressSpace: [10.1.0.0/16], subnets: {s1: {addressPrefix: 10.1.1.0/24}}, "
	places := []struct {
		name string
		yaml string // NAME is replaced by the bad name, quoted
	}{
		{"topology", "x: 1\ny: 2\nname: NAME\n"},
		{"virtual network", "name: x\nvirtualNetworks:\n  NAME: {addressSpace: [10.1.0.0/16]}\n"},
		{"subnet", "name: x\nvirtualNetworks:\n  A: {addressSpace: [10.1.0.0/16], subnets: {NAME: {addressPrefix: 10.1.1.0/24}}}\n"},
		{"virtual machine", vnet + "virtualMachines: {NAME: {subnet: s1, ipAddress: 10.1.1.4}}}\n"},
		{"load balancer", vnet + "loadBalancers: {NAME: {subnet: s1, frontendIpAddress: 10.1.1.9}}}\n"},
		{"peering", vnet + "peerings: {NAME: {remoteVirtualNetwork: B}}}\n  B: {addressSpace: [10.2.0.0/16]}\n"},
		{"gateway", vnet + "gateway: {name: NAME, type: Vpn}}\n"},
		{"route table", "name: x\nrouteTables:\n  NAME: {routes: []}\n"},
		{"route", "name: x\nrouteTables:\n  rt: {routes: [{name: NAME, addressPrefix: 10.0.0.0/8, nextHopType: None}]}\n"},
		{"access control list", "name: x\naccessControlLists:\n  NAME: {rules: []}\n"},
		{"ACL rule", "name: x\naccessControlLists:\n  a: {rules: [{name: NAME, priority: 200, type: Inbound, action: Allow}]}\n"},
		{"on-premises site", "name: x\nonPremises:\n  NAME: {addressSpace: [192.168.0.0/16]}\n"},
		{"on-premises host", "name: x\nonPremises:\n  dc: {addressSpace: [192.168.0.0/16], hosts: {NAME: 192.168.1.10}}\n"},
	}
	bad := []struct{ name, yaml, says string }{
		{"empty", `""`, "cannot be empty"},
		{"comma", `"a,b"`, `","`},
		{"trailing space", `"web "`, "white space"},
		{"slash", `"a/1"`, `"/"`},
		{"NUL", `"a\0b"`, "U+0000"},
		{"newline", `"a\nb"`, "U+000A"},
		{"bidi override", `"a\u202Eb"`, "U+202E"},
		{"an IP address", `"10.1.1.4"`, "IP address"},
		{"too long", `"` + strings.Repeat("n", 81) + `"`, "the limit is 80"},
	}
	for _, pl := range places {
		for _, b := range bad {
			t.Run(pl.name+"/"+b.name, func(t *testing.T) {
				text := strings.Replace(pl.yaml, "NAME", b.yaml, 1)
				if pl.name == "topology" {
					text = strings.Replace(text, "x: 1\ny: 2\n", "# a\n# b\n", 1)
				}
				_, _, ds := Check("t.yaml", []byte(text))
				if !slices.ContainsFunc(ds, func(d diag.Diagnostic) bool {
					return d.Code == diag.InvalidValue && d.Subject.Start.Line == 3 && strings.Contains(d.Message(), b.says)
				}) {
					t.Errorf("no invalid-value on line 3 saying %q:\n%s\n%s", b.says, text, formatDiags(ds))
				}
			})
		}
	}
}
