package event

import (
	"github.com/vnetsim/vnetsim/topology/diag"
)

// Event is one change to a network, as a scenario step or a diff plan writes
// it (docs/reference/scenarios.md). The set of events is closed: every implementation lives
// in this package, and Apply knows each of them.
//
// Names inside an event (VNets, peerings, route tables) are strings resolved
// when the event is applied, so that an event can name an object an earlier
// event created.
type Event interface {
	// Kind returns the event's contract key, e.g. "createPeering".
	Kind() string
	// Fields returns the event's arguments under their contract field
	// names, in the order a person would write them. Optional fields that
	// are not set are left out. See Field for the value types.
	Fields() []Field

	// apply changes the network held by tx, or refuses.
	apply(tx *tx) *Refusal
}

// Field is one named argument of an event. Value is one of: string, bool,
// int, []string, []Field (a nested mapping, in order) or [][]Field (a list
// of mappings). Prefixes, addresses and enumerations are given in their
// contract spelling.
type Field struct {
	Name  string
	Value any
}

// Args returns ev's fields as a map, nested mappings included, ready
// for encoding/json: {"vnet": "A", "name": "a-to-b", ...}. Print an event as
// map[string]any{ev.Kind(): Args(ev)}.
func Args(ev Event) map[string]any { return fieldMap(ev.Fields()) }

func fieldMap(fs []Field) map[string]any {
	out := make(map[string]any, len(fs))
	for _, f := range fs {
		switch v := f.Value.(type) {
		case []Field:
			out[f.Name] = fieldMap(v)
		case [][]Field:
			list := make([]map[string]any, len(v))
			for i, item := range v {
				list[i] = fieldMap(item)
			}
			out[f.Name] = list
		default:
			out[f.Name] = f.Value
		}
	}
	return out
}

// Kinds lists every event key of docs/reference/scenarios.md, in its order;
// ExtensionKinds lists the ones this project adds.
var Kinds = []string{
	"createPeering", "updatePeering", "deletePeering", "syncPeering",
	"addAddressPrefix", "removeAddressPrefix",
	"createVirtualNetwork", "deleteVirtualNetwork",
	"addSubnet", "removeSubnet",
	"setGateway", "removeGateway",
	"addRoute", "removeRoute",
	"addAclRule", "removeAclRule",
	"setVirtualMachine",
}

// ExtensionKinds lists the event keys this project adds to those every
// version has (docs/reference/vocabularies.md allows additions), so that a
// plan can reach any after-file: no contract event creates a load
// balancer, a route table or an ACL, or re-associates an existing subnet.
var ExtensionKinds = []string{
	"setLoadBalancer", "removeLoadBalancer", "createRouteTable", "createAccessControlList", "setSubnet",
}

// Refusal is why the platform refused an event. The network it was applied
// to is unchanged.
type Refusal struct {
	Code    diag.Code // a contract refused-event code or diagnostic error code
	Message string    // one sentence naming the object and what to do
}

// Error implements error, so a Refusal can be returned or wrapped as one.
func (r *Refusal) Error() string { return r.Message + " [" + string(r.Code) + "]" }

// appendNonEmpty appends the field name unless v is empty (not given).
func appendNonEmpty(out []Field, name, v string) []Field {
	if v == "" {
		return out
	}
	return append(out, Field{name, v})
}

// fieldRows returns the fields of each item, for a list of mappings. The
// list is never nil, so an empty one is still written.
func fieldRows[T any](items []T, fields func(T) []Field) [][]Field {
	out := make([][]Field, 0, len(items))
	for _, it := range items {
		out = append(out, fields(it))
	}
	return out
}

// every holds one event of each kind, in the order of Kinds and then
// ExtensionKinds: the compiler checks that each implements Event, and the
// tests that each Kind is listed.
var every = []Event{
	CreatePeering{},
	UpdatePeering{},
	DeletePeering{},
	SyncPeering{},
	AddAddressPrefix{},
	RemoveAddressPrefix{},
	CreateVirtualNetwork{},
	DeleteVirtualNetwork{},
	AddSubnet{},
	RemoveSubnet{},
	SetGateway{},
	RemoveGateway{},
	AddRoute{},
	RemoveRoute{},
	AddACLRule{},
	RemoveACLRule{},
	SetVirtualMachine{},
	SetLoadBalancer{},
	RemoveLoadBalancer{},
	CreateRouteTable{},
	CreateAccessControlList{},
	SetSubnet{},
}
