package topology

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// TestMarshalRoundTrips checks Load(Marshal(n)) gives n back, for generated
// estates and the example files, and that Marshal's text is what yaml.v3
// writes for the same document: parsing it and encoding the node tree
// again with yaml.v3 gives the same bytes.
func TestMarshalRoundTrips(t *testing.T) {
	cases := map[string]*Network{
		"generated windows-sdn": Generate(GenerateOptions{Hubs: 2, Spokes: 3}),
		"generated azure":       Generate(GenerateOptions{Hubs: 1, Spokes: 2, SubnetsPerSpoke: 2, Platform: Azure}),
	}
	for _, path := range exampleFiles(t, "*.yaml") {
		cases[path] = loadT(t, string(readFile(t, path)))
	}
	cases["observed state"] = loadT(t, observedEstate)
	for name, n := range cases {
		t.Run(name, func(t *testing.T) {
			data, err := Marshal(n)
			if err != nil {
				t.Fatal(err)
			}
			back, _, ds := Load("marshalled.yaml", data)
			if back == nil || ds.HasErrors() {
				t.Fatalf("marshalled file does not load: %v\n%s", ds.Err(), data)
			}
			checkYAMLv3Layout(t, data)
			if ds := Validate(back); ds.HasErrors() {
				t.Fatalf("marshalled file does not validate: %v", ds.Err())
			}
			if a, b := fingerprint(n), fingerprint(back); a != b {
				t.Errorf("round trip differs:\n%s\n---\n%s", a, b)
			}
			again, err := Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(data) {
				t.Errorf("marshalling is not stable:\n%s\n---\n%s", data, again)
			}
		})
	}
	if _, err := Marshal(nil); err == nil {
		t.Error("Marshal(nil) gave no error")
	}
}

// observedEstate is an azure estate with the state an import brings in: a
// Disconnected object, a peering that has not synced its remote's new
// range, and rules with several prefixes, port lists and service tags.
const observedEstate = `
	name: observed
	platform: azure
	virtualNetworks:
	  A:
	    addressSpace: [10.1.0.0/16]
	    subnets: {s: {addressPrefix: 10.1.0.0/24, accessControlList: nsg}}
	    peerings:
	      a-to-b: {remoteVirtualNetwork: B, remoteAddressSpace: [10.2.0.0/16]}
	      a-to-c: {remoteVirtualNetwork: C, peeringState: Disconnected}
	  B:
	    addressSpace: [10.2.0.0/16, 10.20.0.0/16]
	    peerings:
	      b-to-a: {remoteVirtualNetwork: A, peeringState: Connected}
	  C:
	    addressSpace: [10.3.0.0/16]
	accessControlLists:
	  nsg:
	    rules:
	      - {name: web, priority: 100, type: Inbound, action: Allow, protocol: TCP, sourceAddressPrefixes: [10.2.0.0/16, 10.3.0.0/16], destinationPortRanges: ["80", "443", 8000-8080]}
	      - {name: lb, priority: 110, type: Inbound, action: Allow, sourceAddressPrefix: AzureLoadBalancer, sourcePortRanges: []}
	      - {name: out, priority: 120, type: Outbound, action: Deny, destinationAddressPrefix: Internet}
`

// TestObservedStateLoadsAndRoundTrips checks that peeringState and
// remoteAddressSpace reach the model's stored state, that rule lists and
// service tags load, and that Marshal writes all of them back.
func TestObservedStateLoadsAndRoundTrips(t *testing.T) {
	n := loadT(t, observedEstate)
	a := n.VirtualNetworks["A"]
	if got := n.PeeringState("A", a.Peerings["a-to-c"]); got != Disconnected {
		t.Errorf("a-to-c is %s, want Disconnected", got)
	}
	if got := n.SyncLevel("A", a.Peerings["a-to-b"]); got != LocalNotInSync {
		t.Errorf("a-to-b sync level %s, want LocalNotInSync", got)
	}
	if got := n.PeeringState("B", n.VirtualNetworks["B"].Peerings["b-to-a"]); got != Connected {
		t.Errorf("b-to-a is %s, want Connected", got)
	}
	rules := n.AccessControlLists["nsg"].Rules
	if want := []PortRange{{80, 80}, {443, 443}, {8000, 8080}}; !slices.Equal(rules[0].DestinationPortRanges, want) {
		t.Errorf("web ports %v, want %v", rules[0].DestinationPortRanges, want)
	}
	if len(rules[0].SourceAddressPrefixes) != 2 || !slices.Equal(rules[1].SourcePortRanges, []PortRange{AnyPort}) {
		t.Errorf("rule lists %+v", rules[:2])
	}
	if rules[1].SourceAddressPrefixes[0].Tag != TagAzureLoadBalancer || rules[2].DestinationAddressPrefixes[0].Tag != TagInternet {
		t.Errorf("service tags %+v", rules[1:])
	}
	data, err := Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"peeringState: Disconnected", "remoteAddressSpace: [10.2.0.0/16]", `sourceAddressPrefixes: ["10.2.0.0/16", "10.3.0.0/16"]`,
		`destinationPortRanges: ["80", "443", "8000-8080"]`, `sourceAddressPrefix: "AzureLoadBalancer"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("marshalled file lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "Connected\n") || strings.Contains(string(data), "b-to-a: {remoteVirtualNetwork: A, remote") {
		t.Errorf("marshalled file stores derived state:\n%s", data)
	}
	back, _, ds := Load("marshalled.yaml", data)
	if back == nil || ds.HasErrors() {
		t.Fatalf("marshalled file does not load: %v\n%s", ds.Err(), data)
	}
	if a, b := fingerprint(n), fingerprint(back); a != b {
		t.Errorf("round trip differs:\n%s\n---\n%s", a, b)
	}
}

// TestMarshalWithComments checks the header and per-object comments.
func TestMarshalWithComments(t *testing.T) {
	n := loadT(t, observedEstate)
	data, err := MarshalWith(n, MarshalOptions{Header: "imported\nby a test", Comment: func(p diag.Path) string {
		if p.String() == "virtualNetworks.A" || p.String() == "virtualNetworks.A.peerings.a-to-b" || p.String() == "accessControlLists.nsg" {
			return "from " + p.String()
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := "# imported\n# by a test\n\nname: observed\n"
	if !strings.HasPrefix(string(data), want) {
		t.Errorf("header: got\n%s", data)
	}
	for _, want := range []string{"  # from virtualNetworks.A\n  A:\n", "      # from virtualNetworks.A.peerings.a-to-b\n      a-to-b:", "  # from accessControlLists.nsg\n  nsg:\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("no comment %q in\n%s", want, data)
		}
	}
	if back, _, ds := Load("commented.yaml", data); back == nil || ds.HasErrors() || fingerprint(back) != fingerprint(n) {
		t.Errorf("commented file does not load back: %v", ds.Err())
	}
	// The comments sit where yaml.v3 puts a node's head comment.
	checkYAMLv3Layout(t, data)
}

// checkYAMLv3Layout fails unless data is what yaml.v3 writes for the
// document it parses into, comments and all.
func checkYAMLv3Layout(t *testing.T, data []byte) {
	t.Helper()
	var doc yaml.Node
	var layout bytes.Buffer
	enc := yaml.NewEncoder(&layout)
	enc.SetIndent(2)
	if err := yaml.Unmarshal(data, &doc); err != nil || enc.Encode(&doc) != nil || layout.String() != string(data) {
		t.Errorf("yaml.v3 lays the document out differently (%v):\n%s\n---\n%s", err, data, layout.String())
	}
}

// Names YAML would read as something else (booleans, numbers, dates,
// null), non-ASCII names, apostrophes and IPv6 ranges are quoted where
// needed and read back as written, in YAML and in JSON.
func TestMarshalQuotesWhatYAMLWouldMisread(t *testing.T) {
	names := []string{"true", "123", "null", "Yes", "0x1F", "1e3", "2024-01-02", "ünï-ø", "O'Brien", "~", "10.5"}
	n := &Network{Name: "on", Platform: WindowsSDN, VirtualNetworks: map[string]*VirtualNetwork{},
		RouteTables: map[string]*RouteTable{}, AccessControlLists: map[string]*ACL{}, OnPremises: map[string]*OnPremises{}}
	for i, name := range names {
		v := &VirtualNetwork{Name: name, AddressSpace: []netip.Prefix{netip.MustParsePrefix(fmt.Sprintf("fd00:%x::/32", i))},
			Subnets: map[string]*Subnet{}, VirtualMachines: map[string]*VirtualMachine{}, LoadBalancers: map[string]*LoadBalancer{}, Peerings: map[string]*Peering{}}
		s := &Subnet{Name: name, VirtualNetwork: v, AddressPrefix: netip.MustParsePrefix(fmt.Sprintf("fd00:%x::/64", i))}
		v.Subnets[name] = s
		n.VirtualNetworks[name] = v
	}
	for _, format := range []string{"yaml", "json"} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			encode := func(w io.Writer, n *Network) error { return Encode(w, n, MarshalOptions{}) }
			if format == "json" {
				encode = EncodeJSON
			}
			if err := encode(&b, n); err != nil {
				t.Fatal(err)
			}
			back, _, ds := Load("t."+format, b.Bytes())
			if back == nil || ds.HasErrors() {
				t.Fatalf("does not load back: %v\n%s", ds.Err(), b.String())
			}
			if a, c := fingerprint(n), fingerprint(back); a != c {
				t.Errorf("round trip differs:\n%s\n---\n%s\n%s", a, c, b.String())
			}
		})
	}
}

// Encode writes as it goes: an estate's text costs about as much memory
// as the text itself (the names and addresses it formats), not a document
// tree. Through yaml.v3's encoder, which keeps every event of the
// document, the same estate allocated 146 MB for 0.84 MB of text; Encode
// may allocate at most twice the text.
func TestEncodeAllocatesAboutTheText(t *testing.T) {
	n := Generate(GenerateOptions{Hubs: 2, Spokes: 500})
	var size int64
	w := writerFunc(func(p []byte) (int, error) { size += int64(len(p)); return len(p), nil })
	got := allocated(func() {
		if err := Encode(w, n, MarshalOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	if got > 2*uint64(size) {
		t.Errorf("Encode allocated %d bytes for %d bytes of text", got, size)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// BenchmarkEncode writes generated estates as YAML: 1,002 VNets always,
// and with VNETSIM_BENCH_LARGE=1 the largest estate generate makes, 16,384
// spokes of 64 subnets (122 MB of YAML).
func BenchmarkEncode(b *testing.B) {
	sizes := []GenerateOptions{{Hubs: 2, Spokes: 500}}
	if os.Getenv("VNETSIM_BENCH_LARGE") == "1" {
		sizes = append(sizes, GenerateOptions{Hubs: 1, Spokes: MaxGenerateSpokes, SubnetsPerSpoke: 64})
	}
	for _, o := range sizes {
		n := Generate(o)
		b.Run(fmt.Sprintf("hubs=%d/spokes=%d/subnets=%d", o.Hubs, o.Spokes, max(o.SubnetsPerSpoke, 4)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Encode(io.Discard, n, MarshalOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
