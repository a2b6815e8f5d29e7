package event

import (
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// AddRoute appends a user route to a route table.
type AddRoute struct {
	RouteTable string
	Route      topology.Route
}

// Kind implements Event.
func (AddRoute) Kind() string { return "addRoute" }

// Fields implements Event.
func (e AddRoute) Fields() []Field {
	return append([]Field{{"routeTable", e.RouteTable}}, eventRouteFields(e.Route)...)
}

func (e AddRoute) apply(t *tx) *Refusal {
	if e.Route.Name == "" || !e.Route.AddressPrefix.IsValid() {
		return refusef(diag.MissingField, "addRoute needs a name and an addressPrefix")
	}
	if r := checkName("addRoute", e.Route.Name); r != nil {
		return r
	}
	rt := t.routeTable(e.RouteTable)
	if rt == nil {
		return notFoundf("route table %q does not exist", e.RouteTable)
	}
	return appendNamed(&rt.Routes, e.Route, tableRouteName, "route table", e.RouteTable, "route")
}

// eventRouteFields returns a route under the topology file's field names.
func eventRouteFields(r topology.Route) []Field {
	out := []Field{{"name", r.Name}, {"addressPrefix", r.AddressPrefix.String()}, {"nextHopType", r.NextHopType.String()}}
	if r.NextHopIPAddress.IsValid() {
		out = append(out, Field{"nextHopIpAddress", r.NextHopIPAddress.String()})
	}
	return out
}

func tableRouteName(r topology.Route) string { return r.Name }

// RemoveRoute removes a route from a route table by name.
type RemoveRoute struct{ RouteTable, Name string }

// Kind implements Event.
func (RemoveRoute) Kind() string { return "removeRoute" }

// Fields implements Event.
func (e RemoveRoute) Fields() []Field {
	return []Field{{"routeTable", e.RouteTable}, {"name", e.Name}}
}

func (e RemoveRoute) apply(t *tx) *Refusal {
	rt := t.routeTable(e.RouteTable)
	if rt == nil {
		return notFoundf("route table %q does not exist", e.RouteTable)
	}
	return deleteNamed(t, &rt.Routes, e.Name, tableRouteName, "route table", e.RouteTable, "route")
}

// CreateRouteTable creates a route table, which subnets then name.
type CreateRouteTable struct {
	Name                           string
	DisableGatewayRoutePropagation bool
	Routes                         []topology.Route
}

// Kind implements Event.
func (CreateRouteTable) Kind() string { return "createRouteTable" }

// Fields implements Event.
func (e CreateRouteTable) Fields() []Field {
	out := []Field{{"name", e.Name}}
	if e.DisableGatewayRoutePropagation {
		out = append(out, Field{"disableGatewayRoutePropagation", true})
	}
	if len(e.Routes) > 0 {
		out = append(out, Field{"routes", fieldRows(e.Routes, eventRouteFields)})
	}
	return out
}

func (e CreateRouteTable) apply(t *tx) *Refusal {
	if e.Name == "" {
		return refusef(diag.MissingField, "createRouteTable needs a name")
	}
	if r := checkName("createRouteTable", e.Name); r != nil {
		return r
	}
	for _, rt := range e.Routes {
		if r := checkName("createRouteTable route", rt.Name); r != nil {
			return r
		}
	}
	if t.n.RouteTables[e.Name] != nil {
		return refusef(diag.DuplicateName, "route table %q already exists", e.Name)
	}
	t.n.RouteTables[e.Name] = &topology.RouteTable{Name: e.Name,
		DisableGatewayRoutePropagation: e.DisableGatewayRoutePropagation, Routes: slices.Clone(e.Routes)}
	return nil
}
