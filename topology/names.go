package topology

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// MaxNameLength is the longest name, in characters: Azure allows 80 for
// most network resources (subnets, peerings, route tables and routes,
// network security groups and their rules; virtual networks 64), and
// Network Controller resource ids document no limit of their own.
const MaxNameLength = 80

// NameRule says what a name may be, for the detail of a diagnostic or a
// refusal about one.
const NameRule = "a name is 1-80 characters, with no white space at either end, no control or format character, no \"/\" (it separates VNET/SUBNET) and no \",\" (it separates FROM,TO in render --trace), and is not an IP address or prefix"

// CheckName reports why s cannot name an object, or nil when it can. One
// rule holds for every name: each key of a mapping keyed by name (virtual
// networks, subnets, VMs, load balancers, peerings, route tables, ACLs,
// on-premises sites and hosts), each name field (the topology's, a
// gateway's, a route's, an ACL rule's) and each name an event creates.
// Commands and scenarios name endpoints by these names, so a name must
// read back as itself: it is not empty and at most MaxNameLength
// characters; it has no white space at either end and no Unicode control
// or format character (Cc, Cf: NUL, newline, bidi overrides), which would
// hide what it says; it holds no "/" or ","; and it does not parse as an
// IP address or prefix, which it would shadow as an endpoint.
func CheckName(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("a name cannot be empty")
	case !utf8.ValidString(s):
		return fmt.Errorf("name %s is not UTF-8", diag.Quote(s))
	case utf8.RuneCountInString(s) > MaxNameLength:
		return fmt.Errorf("name %s is %d characters long; the limit is %d", diag.Quote(s), utf8.RuneCountInString(s), MaxNameLength)
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return fmt.Errorf("name %s starts or ends with white space", diag.Quote(s))
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fmt.Errorf("name %s holds the control or format character U+%04X", diag.Quote(s), r)
	}
	if strings.Contains(s, "/") {
		return fmt.Errorf("name %s holds \"/\", which separates VNET/SUBNET", diag.Quote(s))
	}
	if strings.Contains(s, ",") {
		return fmt.Errorf("name %s holds \",\", which separates FROM,TO", diag.Quote(s))
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return fmt.Errorf("name %s is an IP address, which it would shadow as an endpoint", diag.Quote(s))
	}
	return nil
}
