package importer

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestDetect decides each kind of input by its content.
func TestDetect(t *testing.T) {
	generated, err := os.ReadFile("../../examples/chain.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		text string
		want Format
	}{
		{"topology YAML", string(generated), Topology},
		{"topology as JSON (generate --format json)", `{"name": "x", "platform": "azure", "virtualNetworks": {"A": {"addressSpace": ["10.0.0.0/16"]}}}`, Topology},
		{"YAML flow mapping", `{name: x}`, Topology},
		{"broken JSON", `{"value": [`, Topology},
		{"az list", `[{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v", "name": "v"}]`, Azure},
		{"REST page", `{"value": [{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/routeTables/t"}], "nextLink": null}`, Azure},
		{"Resource Graph page", `{"count": 1, "data": [{"id": "/x", "type": "microsoft.network/virtualnetworks"}]}`, Azure},
		{"one resource by type", `{"name": "v", "type": "Microsoft.Network/virtualNetworks", "properties": {}}`, Azure},
		{"REST specification example", `{"parameters": {}, "responses": {"200": {"body": {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v"}}}}`, Azure},
		{"jq -s of two lists", `[[{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v"}], []]`, Azure},
		{"an empty list", `[]`, Azure},
		{"an empty REST page", `{"value": [], "nextLink": null}`, Azure},
		{"a list of numbers", `[1]`, Topology},
		{"a list of strings and numbers", `["a", 2]`, Topology},
		{"a page of numbers", `{"value": [1]}`, Topology},
		{"Network Controller collection", `{"value": [{"resourceRef": "/virtualNetworks/v", "resourceId": "v"}], "nextLink": ""}`, WindowsSDN},
		{"Get-NetworkController* object", "\uFEFF" + `{"ResourceRef": "/accessControlLists/a", "ResourceId": "a", "Properties": {}}`, WindowsSDN},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detect([]byte(tt.text)); got != tt.want {
				t.Errorf("Detect = %s, want %s", got, tt.want)
			}
		})
	}
}

// fixtureSets are the exports under testdata, each imported as one estate.
var fixtureSets = []struct {
	dir    string
	format Format
	extra  []string // files of other sets read with this one
}{
	{"azure-rest-api-specs", Azure, nil}, // Azure/azure-rest-api-specs examples, byte for byte
	// The specification's peering examples with the VNets they belong to:
	// peer2 is named "peer" but keyed by its id, vnet2 is not exported.
	{"azure-rest-peerings", Azure, []string{"azure-rest-api-specs/VirtualNetworkPeeringList.json", "azure-rest-api-specs/VirtualNetworkPeeringCreate.json"}},
	{"azure-az", Azure, nil},         // az network ... list output of one estate
	{"azure-powershell", Azure, nil}, // Get-AzVirtualNetwork | ConvertTo-Json, with a BOM and CRLF
	{"windows-sdn-nc-rest", WindowsSDN, nil},
	{"windows-sdn-peered", WindowsSDN, nil},
}

func readSet(t *testing.T, dir string, extra ...string) []Input {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures in testdata/%s: %v", dir, err)
	}
	for _, e := range extra {
		paths = append(paths, filepath.Join("testdata", e))
	}
	var inputs []Input
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, Input{Filename: filepath.ToSlash(p), Data: data})
	}
	return inputs
}

// formatDiags renders diagnostics one per line with their detail.
func formatDiags(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%s %s %s: %s\n", d.Subject, d.Severity, d.Code, d.Summary)
		if d.Detail != "" {
			fmt.Fprintf(&b, "    %s\n", d.Detail)
		}
	}
	return b.String()
}

// TestImportGolden imports each fixture set and compares its diagnostics
// and topology file with testdata/golden/SET.golden (go test -update
// rewrites them; read the diff like code). The topology file must load
// with no error and give the imported network back.
func TestImportGolden(t *testing.T) {
	for _, set := range fixtureSets {
		t.Run(set.dir, func(t *testing.T) {
			r := Import(set.format, readSet(t, set.dir, set.extra...), Options{Name: set.dir})
			if r.Network == nil {
				t.Fatalf("nothing imported:\n%s", formatDiags(r.Diagnostics))
			}
			for _, d := range r.Diagnostics {
				if d.Severity == diag.Error {
					t.Errorf("import error: %s", formatDiags(diag.Diagnostics{d}))
				}
				if !d.Subject.IsValid() || !d.Valid() {
					t.Errorf("diagnostic without a position or a known code: %+v", d)
				}
			}
			data, back := marshalLoad(t, r)
			plain, _ := topology.Marshal(r.Network)
			again, _ := topology.Marshal(back)
			if diff := cmp.Diff(string(plain), string(again)); diff != "" {
				t.Errorf("loading the imported topology gives another network (-import +load):\n%s", diff)
			}
			got := "-- diagnostics --\n" + formatDiags(r.Diagnostics) + "-- topology.yaml --\n" + string(data)
			golden := filepath.Join("testdata", "golden", set.dir+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("import of %s differs from %s (-want +got); rerun with -update if intended:\n%s", set.dir, golden, diff)
			}
		})
	}
}

// marshalLoad writes the topology file of an import and loads it, failing
// the test when it does not load without errors.
func marshalLoad(t *testing.T, r *Result) ([]byte, *topology.Network) {
	t.Helper()
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, _, ds := topology.Load("imported.yaml", data)
	if back == nil || ds.HasErrors() {
		t.Fatalf("the imported topology does not load:\n%s\n%s", formatDiags(ds), data)
	}
	return data, back
}

// importText imports one Azure file given as text.
func importText(t *testing.T, f Format, text string) *Result {
	t.Helper()
	r := Import(f, []Input{{Filename: "t.json", Data: []byte(text)}}, Options{})
	if r.Network == nil {
		t.Fatalf("nothing imported:\n%s", formatDiags(r.Diagnostics))
	}
	return r
}

// codesAt lists "code@line:column" for each diagnostic.
func codesAt(ds diag.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s@%d:%d", d.Code, d.Subject.Start.Line, d.Subject.Start.Column))
	}
	return out
}

const sub = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/"

// at returns "code@line:column" for the value after the first occurrence
// of key (a quoted key with its colon, or any text) in text.
func at(code, text, key string) string {
	i := strings.Index(text, key)
	if i < 0 {
		return "no " + key
	}
	i += len(key)
	for i < len(text) && text[i] == ' ' {
		i++
	}
	p := naivePos(text, i)
	return fmt.Sprintf("%s@%d:%d", code, p.Line, p.Column)
}

// TestIdsMatchWithoutCase: az, Resource Graph and the portal case resource
// groups and types differently in references; they still resolve.
func TestIdsMatchWithoutCase(t *testing.T) {
	r := importText(t, Azure, `[
{"id": "`+sub+`virtualNetworks/hub", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
  "subnets": [{"id": "`+sub+`virtualNetworks/hub/subnets/s", "name": "s", "properties": {"addressPrefix": "10.0.0.0/24",
    "networkSecurityGroup": {"id": "/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/providers/microsoft.network/networksecuritygroups/NSG-A"}}}]}},
{"id": "`+sub+`networkSecurityGroups/nsg-a", "properties": {"securityRules": []}},
{"id": "`+sub+`networkInterfaces/nic1", "properties": {"ipConfigurations": [{"properties": {"privateIPAddress": "10.0.0.4",
  "subnet": {"id": "/subscriptions/S1/resourcegroups/RG/providers/Microsoft.Network/VirtualNetworks/HUB/subnets/S"}}}]}}]`)
	if len(r.Diagnostics) > 0 {
		t.Errorf("diagnostics:\n%s", formatDiags(r.Diagnostics))
	}
	hub := r.Network.VirtualNetworks["hub"]
	if hub == nil || hub.Subnets["s"].AccessControlList == nil || hub.Subnets["s"].AccessControlList.Name != "nsg-a" {
		t.Errorf("the subnet's NSG did not resolve: %+v", hub)
	}
	if vm := hub.VirtualMachines["nic1"]; vm == nil || vm.Subnet != hub.Subnets["s"] {
		t.Errorf("the NIC's subnet did not resolve: %+v", hub.VirtualMachines)
	}
}

// peeringPair is two VNets whose peering objects are exported with the
// given states (an empty state leaves the object out).
func peeringPair(stateAB, stateBA string) string {
	vnet := func(name, space, remote, state string) string {
		peerings := ""
		if state != "" {
			peerings = `{"id": "` + sub + `virtualNetworks/` + name + `/virtualNetworkPeerings/` + name + `-to-` + remote + `", "properties": {
      "remoteVirtualNetwork": {"id": "` + sub + `virtualNetworks/` + remote + `"},
      "peeringState": "` + state + `"}}`
		}
		return `{"id": "` + sub + `virtualNetworks/` + name + `", "properties": {"addressSpace": {"addressPrefixes": ["` + space + `"]},
  "virtualNetworkPeerings": [` + peerings + `]}}`
	}
	return "[" + vnet("a", "10.1.0.0/16", "b", stateAB) + ",\n" + vnet("b", "10.2.0.0/16", "a", stateBA) + "]"
}

// TestPeeringsKeepTheirObservedState: an Initiated or Disconnected object
// stays so; an exported state the objects contradict is reported at the
// peeringState, and the model follows the objects.
func TestPeeringsKeepTheirObservedState(t *testing.T) {
	for _, tt := range []struct {
		name           string
		ab, ba         string
		wantAB, wantBA topology.PeeringState
		want           []string
	}{
		{"both Connected", "Connected", "Connected", topology.Connected, topology.Connected, nil},
		{"one side Initiated", "Initiated", "", topology.Initiated, topology.Absent, nil},
		{"the partner deleted: Disconnected stays", "Disconnected", "", topology.Disconnected, topology.Absent, nil},
		{"Disconnected, partner re-created alone", "Disconnected", "Initiated", topology.Disconnected, topology.Initiated, nil},
		{"exported Connected without a partner", "Connected", "", topology.Initiated, topology.Absent, []string{"import-incomplete@" + "STATE"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text := peeringPair(tt.ab, tt.ba)
			for i, w := range tt.want {
				if strings.HasSuffix(w, "STATE") {
					tt.want[i] = at("import-incomplete", text, `"peeringState": `)
				}
			}
			r := importText(t, Azure, text)
			n := r.Network
			got := []topology.PeeringState{n.PeeringState("a", n.VirtualNetworks["a"].PeeringTo("b")), n.PeeringState("b", n.VirtualNetworks["b"].PeeringTo("a"))}
			if got[0] != tt.wantAB || got[1] != tt.wantBA {
				t.Errorf("states %v, want %v %v", got, tt.wantAB, tt.wantBA)
			}
			if diff := cmp.Diff(tt.want, codesAt(r.Diagnostics)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\n%s", diff, formatDiags(r.Diagnostics))
			}
		})
	}
}

// TestRemoteNotInTheExport: a peering to a VNet of another subscription
// keeps its state through a stub VNet made from the address space the
// peering reports; one that reports none is dropped with a warning.
func TestRemoteNotInTheExport(t *testing.T) {
	const partner = "/subscriptions/s2/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/partner"
	peering := func(extra string) string {
		return `[{"id": "` + sub + `virtualNetworks/hub", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
  "virtualNetworkPeerings": [{"id": "` + sub + `virtualNetworks/hub/virtualNetworkPeerings/to-partner", "properties": {
    "remoteVirtualNetwork": {"id": "` + partner + `"}, "peeringState": "Connected", "useRemoteGateways": true` + extra + `}}]}}]`
	}
	text := peering(`, "remoteVirtualNetworkAddressSpace": {"addressPrefixes": ["172.20.0.0/16"]}`)
	r := importText(t, Azure, text)
	n := r.Network
	stub := n.VirtualNetworks["partner"]
	if stub == nil || !slices.Equal(prefixes(stub.AddressSpace), []string{"172.20.0.0/16"}) || stub.Gateway == nil {
		t.Fatalf("stub %+v", stub)
	}
	if got := n.PeeringState("hub", n.VirtualNetworks["hub"].Peerings["to-partner"]); got != topology.Connected {
		t.Errorf("to-partner is %s, want Connected as exported", got)
	}
	if ds := topology.Validate(n); ds.HasErrors() {
		t.Errorf("the stub does not validate:\n%s", formatDiags(ds))
	}
	remote := at("import-incomplete", text, `"remoteVirtualNetwork": {"id": `)
	if want := []string{remote, at("import-incomplete", text, `"useRemoteGateways": `)}; !slices.Equal(codesAt(r.Diagnostics), want) {
		t.Errorf("diagnostics %v, want %v:\n%s", codesAt(r.Diagnostics), want, formatDiags(r.Diagnostics))
	}
	r = importText(t, Azure, peering(""))
	if len(r.Network.VirtualNetworks["hub"].Peerings) != 0 || !slices.Equal(codesAt(r.Diagnostics), []string{remote}) {
		t.Errorf("a remote of unknown space is not dropped: %+v\n%s", r.Network.VirtualNetworks, formatDiags(r.Diagnostics))
	}
}

// TestSyncLevel: remoteAddressSpace is the synced space, so a peering that
// has not synced its remote's new range is LocalNotInSync, and the exported
// peeringSyncLevel agrees.
func TestSyncLevel(t *testing.T) {
	vnet := func(name, remote string, space, synced []string, level string) string {
		q := func(ps []string) string { return `["` + strings.Join(ps, `", "`) + `"]` }
		return `{"id": "` + sub + `virtualNetworks/` + name + `", "properties": {"addressSpace": {"addressPrefixes": ` + q(space) + `},
  "virtualNetworkPeerings": [{"id": "` + sub + `virtualNetworks/` + name + `/virtualNetworkPeerings/p", "properties": {
    "remoteVirtualNetwork": {"id": "` + sub + `virtualNetworks/` + remote + `"}, "peeringState": "Connected",
    "remoteAddressSpace": {"addressPrefixes": ` + q(synced) + `}, "peeringSyncLevel": "` + level + `"}}]}}`
	}
	text := "[" + vnet("a", "b", []string{"10.1.0.0/16"}, []string{"10.2.0.0/16"}, "LocalNotInSync") + ",\n" +
		vnet("b", "a", []string{"10.2.0.0/16", "10.3.0.0/16"}, []string{"10.1.0.0/16"}, "RemoteNotInSync") + "]"
	r := importText(t, Azure, text)
	n := r.Network
	if got := n.SyncLevel("a", n.VirtualNetworks["a"].Peerings["p"]); got != topology.LocalNotInSync {
		t.Errorf("a's peering is %s", got)
	}
	if len(r.Diagnostics) > 0 {
		t.Errorf("diagnostics:\n%s", formatDiags(r.Diagnostics))
	}
	text = strings.Replace(text, `"LocalNotInSync"`, `"FullyInSync"`, 1)
	r = importText(t, Azure, text)
	if want := []string{at("import-incomplete", text, `"peeringSyncLevel": `)}; !slices.Equal(codesAt(r.Diagnostics), want) {
		t.Errorf("a contradicted sync level: %v, want %v\n%s", codesAt(r.Diagnostics), want, formatDiags(r.Diagnostics))
	}
}

// TestUnreadableInput: a file that is not JSON, or not UTF-8, is one
// yaml-syntax error at its place, and nothing is imported from it.
func TestUnreadableInput(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       string
	}{
		{"syntax", "[\n  {\"id\": 1,}\n]", "yaml-syntax@2:12"},
		{"not UTF-8", "[\n\"\xff\"]", "yaml-syntax@2:2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := Import(Azure, []Input{{Filename: "t.json", Data: []byte(tt.text)}}, Options{})
			if got := codesAt(r.Diagnostics); !slices.Equal(got, []string{tt.want}) || r.Network != nil || r.Diagnostics[0].Severity != diag.Error {
				t.Errorf("got %v, want [%s] and no network\n%s", got, tt.want, formatDiags(r.Diagnostics))
			}
		})
	}
}

// An export that lists nothing (az network vnet list in an empty resource
// group) imports with a warning, whether imported or read directly, rather
// than passing as an empty estate without a word.
func TestEmptyExportWarns(t *testing.T) {
	for _, text := range []string{"[]", "{\"value\": [], \"nextLink\": null}", "[[], {\"value\": []}]"} {
		r := Import(Azure, []Input{{Filename: "e.json", Data: []byte(text)}}, Options{})
		_, _, ds := Check("e.json", []byte(text))
		for _, got := range [][]string{codesAt(r.Diagnostics), codesAt(ds)} {
			if !slices.Equal(got, []string{"import-incomplete@1:1"}) {
				t.Errorf("%s: got %v, want [import-incomplete@1:1]", text, got)
			}
		}
	}
}

// TestCheckLocatesValidationInTheJSON: Check validates an imported export,
// and the validator's diagnostics point into the JSON file.
func TestCheckLocatesValidationInTheJSON(t *testing.T) {
	text := `[
{"id": "` + sub + `virtualNetworks/a", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
  "subnets": [{"id": "` + sub + `virtualNetworks/a/subnets/s", "properties": {"addressPrefix": "10.9.0.0/24"}}]}}]`
	n, sm, ds := Check("t.json", []byte(text))
	if n == nil || sm == nil {
		t.Fatal("nothing checked")
	}
	if want := []string{at("subnet-outside-address-space", text, `"addressPrefix": `)}; !slices.Equal(codesAt(ds), want) {
		t.Errorf("got %v, want %v\n%s", codesAt(ds), want, formatDiags(ds))
	}
	// A topology file still goes to the loader.
	if _, _, ds := Check("t.yaml", []byte("name: x\nvirtualNetworks: {A: {addressSpace: [10.0.0.0/16], typo: 1}}\n")); !slices.Equal(codesAt(ds), []string{"unknown-field@2:52"}) {
		t.Errorf("topology file: %v", codesAt(ds))
	}
}
