package importer

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// TestResourceGivenTwice: overlapping exports (a Resource Graph dump beside
// az lists, overlapping pages) and ids that differ only in case give each
// resource once; its peerings keep their partner. Two copies with different
// etags (the resource changed between the exports) are reported.
func TestResourceGivenTwice(t *testing.T) {
	pair := peeringPair("Connected", "Connected")
	upper := strings.Replace(pair, sub+"virtualNetworks/a\"", strings.ToUpper(sub+"virtualNetworks/a")+`"`, 1)
	nsg := func(etag string) string {
		return `{"id": "` + sub + `networkSecurityGroups/n", "etag": "` + etag + `", "properties": {"securityRules": []}}`
	}
	for _, tt := range []struct {
		name   string
		inputs []string
		want   []string
		vnets  []string
	}{
		{"one file twice", []string{pair, pair}, nil, []string{"a", "b"}},
		{"ids that differ in case", []string{"[" + pair + ", " + upper + "]"}, nil, []string{"a", "b"}},
		{"same etag", []string{"[" + nsg("1") + ", " + nsg("1") + "]"}, nil, nil},
		{"another etag", []string{"[" + nsg("1") + ",\n" + nsg("2") + "]"}, []string{fmt.Sprintf("import-incomplete@2:%d", len(`{"id": "`+sub+`networkSecurityGroups/n", "etag": `)+1)}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var inputs []Input
			for _, text := range tt.inputs {
				inputs = append(inputs, Input{Filename: "t.json", Data: []byte(text)})
			}
			r := Import(Azure, inputs, Options{})
			if got := codesAt(r.Diagnostics); !slices.Equal(got, tt.want) {
				t.Errorf("diagnostics %v, want %v\n%s", got, tt.want, formatDiags(r.Diagnostics))
			}
			var names []string
			for _, v := range r.Network.SortedVirtualNetworks() {
				names = append(names, v.Name)
			}
			if !slices.Equal(names, tt.vnets) {
				t.Errorf("VNets %v, want %v", names, tt.vnets)
			}
			if len(r.Network.AccessControlLists) > 1 {
				t.Errorf("ACLs %v, want one", r.Network.AccessControlLists)
			}
		})
	}
}

// TestQualifiedNamesStayUnique: a name qualified with its resource group
// or numbered is checked against every name of its kind, so that no
// resource is lost to another's name.
func TestQualifiedNamesStayUnique(t *testing.T) {
	vnet := func(sub, group, name string) *res {
		return &res{id: "/" + sub + "/" + group + "/" + name, name: name, group: group, sub: sub}
	}
	for _, tt := range []struct {
		name  string
		items []*res
		want  []string
	}{
		{"a qualified name is another's", []*res{vnet("1111", "b", "a"), vnet("1111", "c", "a"), vnet("1111", "z", "a.b")}, []string{"a.b", "a.b.1111", "a.c.1111"}},
		{"a number is another's", []*res{vnet("", "", "a"), {id: "2", name: "A"}, vnet("", "", "a-1")}, []string{"A-3", "a-1", "a-2"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name(tt.items, func(r *res) *res { return r })
			var got []string
			for _, x := range tt.items {
				got = append(got, x.modelled)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("names %v, want %v", got, tt.want)
			}
		})
	}
}

// TestNamesThatDoNotLoad: Azure allows names the model does not (an IP
// address, more than 80 characters); the importer changes them so that
// the file it writes loads, and the comment still names the resource.
func TestNamesThatDoNotLoad(t *testing.T) {
	long := strings.Repeat("n", 100)
	vnet := func(name, space string) string {
		return `{"id": "` + sub + `virtualNetworks/` + name + `", "properties": {"addressSpace": {"addressPrefixes": ["` + space + `"]}}}`
	}
	text := "[" + strings.Join([]string{vnet("10.0.0.1", "10.0.0.0/16"), vnet("fd00::", "10.1.0.0/16"), vnet(long, "10.2.0.0/16"), vnet(long+"x", "10.3.0.0/16")}, ",\n") + "]"
	data, back := marshalLoad(t, importText(t, Azure, text))
	if len(back.VirtualNetworks) != 4 {
		t.Errorf("%d VNets, want 4:\n%s", len(back.VirtualNetworks), data)
	}
	if !strings.Contains(string(data), "virtualNetworks/"+long+"\n") || back.VirtualNetworks["10.0.0.1_"] == nil {
		t.Errorf("names or comments:\n%s", data)
	}
}

// TestUnreadableValuesLoadNothing: an export with a value the importer
// cannot read does not load, as a topology file with one does not, and the
// value is reported once, not also as missing.
func TestUnreadableValuesLoadNothing(t *testing.T) {
	text := `[{"id": "` + sub + `virtualNetworks/hub", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/33"]},
  "subnets": [{"id": "` + sub + `virtualNetworks/hub/subnets/s1", "properties": {"addressPrefix": 5}}]}}]`
	want := []string{at("invalid-prefix", text, `"addressPrefixes": [`), at("invalid-prefix", text, `"addressPrefix": `)}
	for _, load := range []func(string, []byte) (*topology.Network, *topology.SourceMap, diag.Diagnostics){Load, Check} {
		n, _, ds := load("t.json", []byte(text))
		if n != nil || !slices.Equal(codesAt(ds), want) {
			t.Errorf("network %v, diagnostics %v, want none and %v\n%s", n != nil, codesAt(ds), want, formatDiags(ds))
		}
	}
}

// TestMalformedPrefixIsNoServiceTag: only a word can be a service tag; a
// malformed prefix in a rule or a route is an error, not a tag dropped as
// naming public ranges (which made a Deny rule with a typo vanish), and a
// route without a prefix is missing one.
func TestMalformedPrefixIsNoServiceTag(t *testing.T) {
	route := func(prefix string) string {
		return `[{"id": "` + sub + `routeTables/t", "properties": {"routes": [{"name": "r", "properties": {` + prefix + `"nextHopType": "None"}}]}}]`
	}
	rule := func(prefixes string) string {
		return `[{"id": "` + sub + `networkSecurityGroups/n", "properties": {"securityRules": [{"name": "deny", "properties": {"priority": 100,
  "direction": "Inbound", "access": "Deny", "protocol": "*", "sourceAddressPrefixes": ` + prefixes + `, "destinationAddressPrefix": "*"}}]}}]`
	}
	for _, tt := range []struct {
		name, text string
		want       []string // codes at the values after these keys
	}{
		{"route: a service tag", route(`"addressPrefix": "Storage", `), []string{"import-unsupported", `"addressPrefix": `}},
		{"route: a bad prefix", route(`"addressPrefix": "10.0.0.0/33", `), []string{"invalid-prefix", `"addressPrefix": `}},
		{"route: no prefix", route(``), []string{"missing-field", `{"name": "r"`}},
		{"rule: a regional tag", rule(`["AzureCloud.westeurope", "10.0.0.0/8"]`), []string{"import-unsupported", `"sourceAddressPrefixes": [`}},
		{"rule: a bad prefix and a range", rule(`["10.0.0.0/33",   "10.0.0.1-10.0.0.5"]`), []string{"invalid-prefix", `"sourceAddressPrefixes": [`, "invalid-prefix", `"10.0.0.0/33",   `}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := Import(Azure, []Input{{Filename: "t.json", Data: []byte(tt.text)}}, Options{})
			var want []string
			for i := 0; i < len(tt.want); i += 2 {
				w := at(tt.want[i], tt.text, tt.want[i+1])
				if tt.want[i+1] == `{"name": "r"` {
					w = at(tt.want[i], tt.text, `"routes": [`)
				}
				want = append(want, w)
			}
			if got := codesAt(r.Diagnostics); !slices.Equal(got, want) {
				t.Errorf("diagnostics %v, want %v\n%s", got, want, formatDiags(r.Diagnostics))
			}
		})
	}
}

// TestChildWithoutID: a subnet or peering exported on its own without an
// id is read by its type, and reported as missing the id that names its
// VNet, not taken for a connection.
func TestChildWithoutID(t *testing.T) {
	for _, typ := range []string{"subnets", "virtualNetworkPeerings"} {
		text := `[{"id": "` + sub + `virtualNetworks/v", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}},
{"name": "s", "type": "Microsoft.Network/virtualNetworks/` + typ + `", "properties": {"addressPrefix": "10.0.0.0/24"}}]`
		r := Import(Azure, []Input{{Filename: "t.json", Data: []byte(text)}}, Options{})
		want := []string{at("missing-field", text, "}}},\n")}
		if got := codesAt(r.Diagnostics); !slices.Equal(got, want) || strings.Contains(formatDiags(r.Diagnostics), "connection") {
			t.Errorf("%s: diagnostics %v, want %v\n%s", typ, got, want, formatDiags(r.Diagnostics))
		}
	}
}

// TestIPConfigurationsWithoutIDs: Get-Az* and hand-made exports may give
// a NIC's IP configurations no id; each is then known by its NIC's id and
// its name, so a load balancer pool a NIC names resolves to that NIC's VM,
// not to whichever NIC without ids came last.
func TestIPConfigurationsWithoutIDs(t *testing.T) {
	const s = `{"id": "` + sub + `virtualNetworks/v/subnets/s"}`
	const pool = `{"id": "` + sub + `loadBalancers/lb/backendAddressPools/pool"}`
	nic := func(name, ip, pools string) string {
		return `{"id": "` + sub + `networkInterfaces/` + name + `", "ipConfigurations": [{"name": "ipc", "privateIPAddress": "` + ip + `", "subnet": ` + s +
			`, "loadBalancerBackendAddressPools": [` + pools + `]}]}`
	}
	text := `[{"id": "` + sub + `virtualNetworks/v", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
  "subnets": [{"id": "` + sub + `virtualNetworks/v/subnets/s", "addressPrefix": "10.0.1.0/24"}]},
` + nic("web1-nic", "10.0.1.4", pool) + ",\n" + nic("web2-nic", "10.0.1.5", "") + `,
{"id": "` + sub + `loadBalancers/lb", "frontendIPConfigurations": [{"id": "` + sub + `loadBalancers/lb/frontendIPConfigurations/fe", "privateIPAddress": "10.0.1.100", "subnet": ` + s + `}],
  "backendAddressPools": [` + pool + `],
  "loadBalancingRules": [{"name": "r", "protocol": "Tcp", "frontendPort": 443, "frontendIPConfiguration": {"id": "` + sub + `loadBalancers/lb/frontendIPConfigurations/fe"}, "backendAddressPool": ` + pool + `}]}]`
	r := importText(t, Azure, text)
	lb := r.Network.VirtualNetworks["v"].LoadBalancers["lb"]
	if lb == nil || len(lb.Backends) != 1 || lb.Backends[0].Name != "web1-nic" {
		t.Fatalf("load balancer %+v, want web1-nic as its one backend\n%s", lb, formatDiags(r.Diagnostics))
	}
}

// TestDuplicateKeys: a key given twice in one object (any case, as keys
// are read without regard to it) is a duplicate-key error at the second
// key, as in a topology file; the rest of the import reads the last value,
// as jq and JSON.parse do.
func TestDuplicateKeys(t *testing.T) {
	text := `[{"id": "` + sub + `virtualNetworks/v", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"],
  "AddressPrefixes": ["10.1.0.0/16"]}}}]`
	r := importText(t, Azure, text)
	if want := []string{at("duplicate-key", text, "\n  ")}; !slices.Equal(codesAt(r.Diagnostics), want) || r.Diagnostics[0].Severity != diag.Error {
		t.Errorf("diagnostics %v, want %v (an error)\n%s", codesAt(r.Diagnostics), want, formatDiags(r.Diagnostics))
	}
	if got := r.Network.VirtualNetworks["v"].AddressSpace; len(got) != 1 || got[0].String() != "10.1.0.0/16" {
		t.Errorf("address space %v, want the last value, [10.1.0.0/16]", got)
	}
	// An object of many keys is indexed rather than scanned: the same
	// answers, each repeat found once, the last value read.
	var b strings.Builder
	for i := range 3 * maxScannedKeys {
		fmt.Fprintf(&b, `"k%d": %d, `, i, i)
	}
	wide := `{"K5": "a", ` + b.String() + `"k5": "b", "K20": "c", "last": 0}`
	root, err := parseJSON(wide)
	if err != nil {
		t.Fatal(err)
	}
	if got := root.get("k5").text(); got != "b" {
		t.Errorf("k5 = %q, want the last value b", got)
	}
	if got := root.get("k20").text(); got != "c" {
		t.Errorf("k20 = %q, want the last value c", got)
	}
	shadowed := 0
	for _, k := range root.kids {
		if k.shadowed {
			shadowed++
		}
	}
	if shadowed != 3 { // K5 twice over (by k5, then by "k5"), k20 once
		t.Errorf("%d values shadowed, want 3", shadowed)
	}
}
