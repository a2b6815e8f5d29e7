package topology

import "testing"

// Protocol names are read in any letter case, as the platforms write them
// (TCP in Network Controller, Tcp in ARM), and always written in the
// canonical spelling.
func TestParseProtocolIgnoresCase(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Protocol
	}{
		{"TCP", TCP}, {"tcp", TCP}, {"Tcp", TCP},
		{"UDP", UDP}, {"udp", UDP},
		{"ICMP", ICMP}, {"Icmp", ICMP},
		{"All", ProtocolAll}, {"all", ProtocolAll}, {"ALL", ProtocolAll},
	} {
		got, err := ParseProtocol(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseProtocol(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "SCTP", "tcp ", "*"} {
		if _, err := ParseProtocol(bad); err == nil {
			t.Errorf("ParseProtocol(%q) accepted", bad)
		}
	}
	// A file that writes tcp loads, and is written back as TCP.
	n, _, ds := Check("t.yaml", []byte("name: x\naccessControlLists:\n  a: {rules: [{name: r, priority: 200, type: Inbound, action: Deny, protocol: tcp}]}\n"))
	if n == nil || ds.HasErrors() {
		t.Fatalf("protocol: tcp does not load:\n%s", formatDiags(ds))
	}
	if got := n.AccessControlLists["a"].Rules[0].Protocol.String(); got != "TCP" {
		t.Errorf("protocol tcp reads as %s", got)
	}
}
