package topology

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// The readers below turn one YAML node of a file read by ReadYAML into a
// value. The topology loader and the scenario parser both read their
// scalars through them, so that a file accepts the same spellings of a
// boolean, an integer, a prefix, an address or an enumeration, and refuses
// the others with the same words, whichever kind of file it is. The
// callers say where (a path and a range from NodeRange) and whose value
// (what, e.g. "peering p allowForwardedTraffic").

// NodeError says why a node does not hold the value asked for: the code,
// the rest of the summary after "WHAT: ", and how to fix it.
type NodeError struct {
	Code    diag.Code
	Summary string
	Detail  string
}

func nodeErrorf(code diag.Code, detail, format string, args ...any) *NodeError {
	return &NodeError{Code: code, Summary: fmt.Sprintf(format, args...), Detail: detail}
}

// Diagnostic returns the error as a diagnostic of what at path p.
func (e *NodeError) Diagnostic(p diag.Path, what string) diag.Diagnostic {
	d := diag.Errorf(e.Code, p, "%s: %s", what, e.Summary)
	if e.Detail != "" {
		d.Detail = e.Detail
	}
	return d
}

// ReadString returns the text of a scalar node; null, a mapping or a list
// is an error.
func ReadString(n *yaml.Node) (string, *NodeError) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return "", nodeErrorf(diag.InvalidValue, "", "want a string, got %s", kindName(n))
	}
	return n.Value, nil
}

// ReadBool returns the boolean a node holds: true or false, unquoted.
func ReadBool(n *yaml.Node) (bool, *NodeError) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!bool" {
		var b bool
		if n.Decode(&b) == nil {
			return b, nil
		}
	}
	detail := "write true or false"
	if n.Kind == yaml.ScalarNode && (n.Value == "true" || n.Value == "false") {
		detail = "write " + n.Value + " without quotes; quoted, it is a string"
	}
	return false, nodeErrorf(diag.InvalidValue, detail, "want true or false, got %s", kindName(n))
}

// ReadInt returns the integer a node holds, within [lo, hi]. Every
// spelling YAML reads as an integer is accepted: 443, 0x1BB, 1_000.
func ReadInt(n *yaml.Node, lo, hi int64) (int64, *NodeError) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, nodeErrorf(diag.InvalidValue, "", "want an integer, got %s", kindName(n))
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if err != nil || v < lo || v > hi {
		return 0, nodeErrorf(diag.InvalidValue, "", "%s is outside %d-%d", n.Value, lo, hi)
	}
	return v, nil
}

// ReadPrefix returns the prefix a node holds, as written: the caller
// masks it with MaskPrefix.
func ReadPrefix(n *yaml.Node) (netip.Prefix, *NodeError) {
	s, e := ReadString(n)
	if e != nil {
		return netip.Prefix{}, e
	}
	pf, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return netip.Prefix{}, nodeErrorf(diag.InvalidPrefix, "write an address and a length, e.g. 10.1.0.0/16",
			"%s is not an IP prefix", diag.Quote(s))
	}
	return pf, nil
}

// MaskPrefix returns pf masked and, when pf has host bits set, the
// non-canonical-prefix warning for what at path p; the prefix is read as
// its masked form.
func MaskPrefix(pf netip.Prefix, p diag.Path, what string) (netip.Prefix, *diag.Diagnostic) {
	m := pf.Masked()
	if m == pf {
		return pf, nil
	}
	w := diag.Warningf(diag.NonCanonicalPrefix, p, "%s: %s has host bits set; read as %s", what, pf, m).WithDetail("write %s", m)
	return m, &w
}

// ReadAddr returns the address a node holds, IPv4-mapped addresses
// unmapped; a zone is refused.
func ReadAddr(n *yaml.Node) (netip.Addr, *NodeError) {
	s, e := ReadString(n)
	if e != nil {
		return netip.Addr{}, e
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, nodeErrorf(diag.InvalidAddress, "write an IPv4 or IPv6 address, e.g. 10.1.0.4",
			"%s is not an IP address", diag.Quote(s))
	}
	return a.Unmap(), nil
}

// ReadEnum returns the value of an enumeration a node spells, parsed by
// parse (ParseProtocol, ParseAction, ...) with surrounding space trimmed.
func ReadEnum[T any](n *yaml.Node, parse func(string) (T, error)) (T, *NodeError) {
	var zero T
	s, e := ReadString(n)
	if e != nil {
		return zero, e
	}
	v, err := parse(strings.TrimSpace(s))
	if err != nil {
		return zero, nodeErrorf(diag.InvalidValue, "", "%v", err)
	}
	return v, nil
}

// A Mapping is one YAML mapping split against the keys allowed in it.
type Mapping struct {
	// Values holds the value node of each allowed key, as first written.
	Values map[string]*yaml.Node
	// Duplicate holds each key node written again after the first, with
	// the first.
	Duplicate [][2]*yaml.Node
	// Unknown holds the key nodes not allowed, in file order.
	Unknown []*yaml.Node
}

// ReadMapping splits the mapping n against the keys allowed.
func ReadMapping(n *yaml.Node, allowed func(key string) bool) Mapping {
	m := Mapping{Values: make(map[string]*yaml.Node, len(n.Content)/2)}
	first := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if f, dup := first[key.Value]; dup {
			m.Duplicate = append(m.Duplicate, [2]*yaml.Node{key, f})
			continue
		}
		first[key.Value] = key
		if !allowed(key.Value) {
			m.Unknown = append(m.Unknown, key)
			continue
		}
		m.Values[key.Value] = val
	}
	return m
}

// DuplicateKey is the duplicate-key error of key, written twice in the
// mapping of what, at path p; its related location is the first one.
func DuplicateKey(p diag.Path, what, key string) diag.Diagnostic {
	return diag.Errorf(diag.DuplicateKey, p, "%s: key %s is written twice", what, diag.Quote(key)).
		WithDetail("remove one of them; YAML keys must be unique in a mapping").
		WithRelated(p, "first written here")
}

// UnknownKey is the unknown-field error of key in the mapping of what, at
// path p, whose detail says that kind takes the keys allowed. When key
// looks like a misspelling of one of absent (allowed keys not written),
// the message asks whether that one was meant, saying when it is
// required, and meant returns it: it is then not also reported missing.
func UnknownKey(p diag.Path, what, kind, key string, keys, absent []string, required func(string) bool) (d diag.Diagnostic, meant string) {
	msg := fmt.Sprintf("%s: unknown field %s", what, diag.Quote(key))
	if s := diag.Suggest(key, absent); s != "" {
		msg += fmt.Sprintf("; did you mean %q", s)
		if required(s) {
			msg += " (required)"
		}
		msg += "?"
		meant = s
	}
	return diag.Errorf(diag.UnknownField, p, "%s", msg).WithDetail("%s takes %s", kind, strings.Join(keys, ", ")), meant
}

// MissingKey is the missing-field error of key, required in the mapping
// of what, at path p.
func MissingKey(p diag.Path, what, key string) diag.Diagnostic {
	return diag.Errorf(diag.MissingField, p, "%s: missing required field %q", what, key).WithDetail("add %s: to %s", key, what)
}
