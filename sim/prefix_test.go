package sim

import (
	"fmt"
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

// A prefix set answers IPv4 through its integer ranges and IPv6 through
// netipx, merges adjacent and nested prefixes, masks host bits, skips
// invalid prefixes, and is empty when nil.
func TestPrefixSet(t *testing.T) {
	s := newPrefixSet([]netip.Prefix{pfx("10.0.0.0/24"), pfx("10.0.1.0/24"), pfx("10.0.1.128/25")},
		[]netip.Prefix{pfx("192.168.7.9/16"), {}, pfx("2001:db8::/32")})
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"10.0.0.0", true}, {"10.0.1.255", true}, {"10.0.2.0", false}, {"9.255.255.255", false},
		{"192.168.0.1", true}, {"192.169.0.0", false}, {"0.0.0.0", false}, {"255.255.255.255", false},
		{"2001:db8::1", true}, {"2001:db9::1", false}, {"::ffff:10.0.0.1", false},
	} {
		if got := s.contains(addr(tc.addr)); got != tc.want {
			t.Errorf("contains(%s) = %t, want %t", tc.addr, got, tc.want)
		}
	}
	if len(s.v4) != 2 {
		t.Errorf("IPv4 ranges %v, want the adjacent /24s merged into one and 192.168.0.0/16", s.v4)
	}
	// The integer search agrees with netipx at every range's edges.
	for _, r := range s.ips.Ranges() {
		for _, a := range []netip.Addr{r.From().Prev(), r.From(), r.To(), r.To().Next()} {
			if a.IsValid() && s.contains(a) != s.ips.Contains(a) {
				t.Errorf("contains(%s) = %t, netipx says %t", a, s.contains(a), s.ips.Contains(a))
			}
		}
	}
	var none *prefixSet
	if none.contains(addr("10.0.0.1")) || newPrefixSet().contains(addr("10.0.0.1")) {
		t.Error("an empty set contains an address")
	}
}

// BenchmarkPrefixSet is the VirtualNetwork tag's lookup, which walks ask
// for every ACL rule naming a tag and every memo guard, and its build, once
// per VNet and engine: a spoke's four prefixes and a hub's 502.
func BenchmarkPrefixSet(b *testing.B) {
	for _, size := range []int{3, 501} {
		var lists [][]netip.Prefix
		for i := range size {
			lists = append(lists, []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i / 256), byte(i % 256), 0}), 24)})
		}
		lists = append(lists, []netip.Prefix{pfx("192.168.0.0/16")})
		addrs := make([]netip.Addr, 1024)
		for i := range addrs {
			addrs[i] = netip.AddrFrom4([4]byte{10, byte(i % 3), byte(i * 7), byte(i * 13)})
		}
		s := newPrefixSet(lists...)
		b.Run(fmt.Sprintf("contains/prefixes=%d", size+1), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				s.contains(addrs[i%len(addrs)])
			}
		})
		b.Run(fmt.Sprintf("build/prefixes=%d", size+1), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				newPrefixSet(lists...)
			}
		})
	}
}
