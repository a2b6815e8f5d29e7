package sim

import (
	"fmt"
	"strings"
)

// render is the compact text form of a trace used by golden files: the
// verdict, then one line per hop and one indented line per step.
func render(tr Trace) string {
	var b strings.Builder
	f := tr.Flow
	fmt.Fprintf(&b, "flow %s (%s) -> %s (%s) %s/%d\n", f.From, f.Src, f.To, f.Dst, f.Protocol, f.Port)
	fmt.Fprintf(&b, "result %s", tr.Result)
	if tr.Reason != "" {
		fmt.Fprintf(&b, " %s", tr.Reason)
	}
	fmt.Fprintf(&b, "\nexplanation %s\n", tr.Explanation)
	for _, h := range tr.Hops {
		fmt.Fprintf(&b, "hop %s [%s/%s]\n", h.Node, h.VirtualNetwork, h.Subnet)
		for _, s := range h.Steps {
			fmt.Fprintf(&b, "  %-7s %s", s.Kind, s.Detail)
			if len(s.Source) > 0 {
				fmt.Fprintf(&b, "  <%s>", s.Source)
			}
			b.WriteByte('\n')
		}
	}
	fmt.Fprintf(&b, "hops %d", len(tr.Hops))
	if tr.BandwidthMbps > 0 {
		fmt.Fprintf(&b, ", bandwidth %d Mbps", tr.BandwidthMbps)
	}
	b.WriteByte('\n')
	for _, s := range tr.Facts {
		fmt.Fprintf(&b, "fact %s\n", s)
	}
	if tr.Asymmetry != "" {
		fmt.Fprintf(&b, "asymmetry %s\n", tr.Asymmetry)
	}
	return b.String()
}
