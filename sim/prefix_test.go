package sim

import (
	"net/netip"
	"testing"
)

func TestPrefixIndex(t *testing.T) {
	var x prefixIndex[string]
	for _, p := range []string{"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "0.0.0.0/0", "2001:db8::/32", "2001:db8:1::/48"} {
		x.add(pfx(p), p)
	}
	x.add(pfx("10.1.2.77/24"), "host bits are masked")
	tests := []struct {
		addr, want, wantPrefix string
	}{
		{"10.1.2.3", "10.1.2.3/32", "10.1.2.3/32"},
		{"10.1.2.4", "10.1.2.0/24", "10.1.2.0/24"},
		{"10.1.9.9", "10.1.0.0/16", "10.1.0.0/16"},
		{"10.200.0.1", "10.0.0.0/8", "10.0.0.0/8"},
		{"192.0.2.1", "0.0.0.0/0", "0.0.0.0/0"},
		{"2001:db8:1::5", "2001:db8:1::/48", "2001:db8:1::/48"},
		{"2001:db8:2::5", "2001:db8::/32", "2001:db8::/32"},
		{"2001:db9::1", "", "invalid Prefix"},
	}
	for _, tt := range tests {
		vs, p := x.longest(addr(tt.addr))
		got := ""
		if len(vs) > 0 {
			got = vs[0]
		}
		if got != tt.want || p.String() != tt.wantPrefix {
			t.Errorf("longest(%s) = %q %s, want %q %s", tt.addr, got, p, tt.want, tt.wantPrefix)
		}
	}
	if all := x.all(addr("10.1.2.3")); len(all) != 6 {
		t.Errorf("all(10.1.2.3) = %q, want 6 values", all)
	}
	if vs, _ := x.longest(netip.Addr{}); vs != nil {
		t.Error("the zero address matched")
	}
}
