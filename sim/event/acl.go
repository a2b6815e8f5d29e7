package event

import (
	"fmt"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// AddACLRule appends a rule to an access control list (contract key
// addAclRule).
type AddACLRule struct {
	AccessControlList string
	Rule              topology.ACLRule
}

// Kind implements Event.
func (AddACLRule) Kind() string { return "addAclRule" }

// Fields implements Event.
func (e AddACLRule) Fields() []Field {
	return append([]Field{{"accessControlList", e.AccessControlList}}, eventRuleFields(e.Rule)...)
}

func (e AddACLRule) apply(t *tx) *Refusal {
	if e.Rule.Name == "" {
		return refusef(diag.MissingField, "addAclRule needs a name")
	}
	if r := checkName("addAclRule", e.Rule.Name); r != nil {
		return r
	}
	a := t.acl(e.AccessControlList)
	if a == nil {
		return notFoundf("access control list %q does not exist", e.AccessControlList)
	}
	return appendNamed(&a.Rules, e.Rule, aclRuleName, "access control list", e.AccessControlList, "rule")
}

// eventRuleFields returns an ACL rule under the topology file's field names.
func eventRuleFields(r topology.ACLRule) []Field {
	return []Field{
		{"name", r.Name},
		{"priority", r.Priority},
		{"type", r.Type.String()},
		{"action", r.Action.String()},
		{"protocol", r.Protocol.String()},
		oneOrManyField("sourceAddressPrefix", "sourceAddressPrefixes", r.SourceAddressPrefixes),
		oneOrManyField("sourcePortRange", "sourcePortRanges", r.SourcePortRanges),
		oneOrManyField("destinationAddressPrefix", "destinationAddressPrefixes", r.DestinationAddressPrefixes),
		oneOrManyField("destinationPortRange", "destinationPortRanges", r.DestinationPortRanges),
	}
}

// oneOrManyField is a rule's list under its singular key when it holds one
// entry, else under its plural key, as the topology file writes it.
func oneOrManyField[T fmt.Stringer](one, many string, items []T) Field {
	if len(items) == 1 {
		return Field{one, items[0].String()}
	}
	return Field{many, topology.StringsOf(items)}
}

func aclRuleName(r topology.ACLRule) string { return r.Name }

// RemoveACLRule removes a rule from an access control list by name
// (contract key removeAclRule).
type RemoveACLRule struct{ AccessControlList, Name string }

// Kind implements Event.
func (RemoveACLRule) Kind() string { return "removeAclRule" }

// Fields implements Event.
func (e RemoveACLRule) Fields() []Field {
	return []Field{{"accessControlList", e.AccessControlList}, {"name", e.Name}}
}

func (e RemoveACLRule) apply(t *tx) *Refusal {
	a := t.acl(e.AccessControlList)
	if a == nil {
		return notFoundf("access control list %q does not exist", e.AccessControlList)
	}
	return deleteNamed(t, &a.Rules, e.Name, aclRuleName, "access control list", e.AccessControlList, "rule")
}

// CreateAccessControlList creates an access control list, which subnets
// and VMs then name.
type CreateAccessControlList struct {
	Name                  string
	InboundDefaultAction  topology.Action
	OutboundDefaultAction topology.Action
	Rules                 []topology.ACLRule
}

// Kind implements Event.
func (CreateAccessControlList) Kind() string { return "createAccessControlList" }

// Fields implements Event.
func (e CreateAccessControlList) Fields() []Field {
	out := []Field{{"name", e.Name}, {"inboundDefaultAction", e.InboundDefaultAction.String()},
		{"outboundDefaultAction", e.OutboundDefaultAction.String()}}
	if len(e.Rules) > 0 {
		out = append(out, Field{"rules", fieldRows(e.Rules, eventRuleFields)})
	}
	return out
}

func (e CreateAccessControlList) apply(t *tx) *Refusal {
	if e.Name == "" {
		return refusef(diag.MissingField, "createAccessControlList needs a name")
	}
	if r := checkName("createAccessControlList", e.Name); r != nil {
		return r
	}
	for _, rule := range e.Rules {
		if r := checkName("createAccessControlList rule", rule.Name); r != nil {
			return r
		}
	}
	if t.n.AccessControlLists[e.Name] != nil {
		return refusef(diag.DuplicateName, "access control list %q already exists", e.Name)
	}
	t.n.AccessControlLists[e.Name] = &topology.ACL{Name: e.Name, InboundDefaultAction: e.InboundDefaultAction,
		OutboundDefaultAction: e.OutboundDefaultAction, Rules: slices.Clone(e.Rules)}
	return nil
}
