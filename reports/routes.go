package reports

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/vnetsim/vnetsim/sim"
	"github.com/vnetsim/vnetsim/topology"
)

// routeVia says where a route came from, the way Network Watcher's last
// column does: the user route, the peer, the learned site.
func routeVia(r sim.EffectiveRoute) string {
	switch {
	case r.Source == sim.SourceUser && len(r.Origin) > 1:
		return r.Origin[1] + "/" + r.Name
	case r.NextHopType == topology.NextHopVNetPeering && r.Remote != "":
		return "peering to " + r.Remote
	case r.Source == sim.SourceVirtualNetworkGateway:
		s := "learned from " + r.Name
		if r.Remote != "" {
			s += " via " + r.Remote
		}
		return s
	}
	return ""
}

// RoutesText writes a subnet's effective routes as a table like Network
// Watcher's: source, state, prefix, next hop type and IP, and origin.
func RoutesText(w io.Writer, t *sim.RouteTable) error {
	if t == nil {
		return errNothing("route table")
	}
	ew := &errWriter{w: w}
	ew.printf("Effective routes of %s\n\n", t.Subnet)
	tw := tabwriter.NewWriter(ew.w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSTATE\tADDRESS PREFIX\tNEXT HOP TYPE\tNEXT HOP IP\tVIA")
	for _, r := range t.Routes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Source, r.State, r.AddressPrefix, r.NextHopType,
			dash(addrString(r.NextHopIPAddress)), dash(routeVia(r)))
	}
	if ew.err != nil {
		return ew.err
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write routes: %w", err)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// The "routes" document of docs/reference/json.md.
type (
	jsonRoutes struct {
		Subnet string      `json:"subnet"`
		Routes []jsonRoute `json:"routes"`
	}
	jsonRoute struct {
		AddressPrefix    string `json:"addressPrefix"`
		NextHopType      string `json:"nextHopType"`
		NextHopIPAddress string `json:"nextHopIpAddress"`
		Source           string `json:"source"`
		State            string `json:"state"`
		Name             string `json:"name,omitempty"`
		Via              string `json:"via,omitempty"`
	}
)

// RoutesJSON writes the "routes" document of docs/reference/json.md.
func RoutesJSON(w io.Writer, t *sim.RouteTable) error {
	if t == nil {
		return errNothing("route table")
	}
	doc := jsonRoutes{Subnet: t.Subnet, Routes: make([]jsonRoute, 0, len(t.Routes))}
	for _, r := range t.Routes {
		doc.Routes = append(doc.Routes, jsonRoute{
			AddressPrefix: r.AddressPrefix.String(), NextHopType: r.NextHopType.String(),
			NextHopIPAddress: addrString(r.NextHopIPAddress), Source: r.Source.String(), State: r.State.String(),
			Name: r.Name, Via: routeVia(r),
		})
	}
	return WriteDocument(w, doc)
}
