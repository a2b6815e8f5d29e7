package topology

import (
	"gopkg.in/yaml.v3"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// LoadNode is Load for a topology mapping that sits inside a larger YAML
// file, such as a scenario's inline topology: root is the mapping's node
// from that file's parse, and data the whole file, so diagnostics and the
// source map carry the larger file's lines and columns.
func LoadNode(filename string, data []byte, root *yaml.Node) (*Network, *SourceMap, diag.Diagnostics) {
	sm := newSourceMap(filename, data)
	l := &loader{file: filename, sm: sm}
	if root == nil {
		l.diags.Append(diag.Errorf(diag.MissingField, nil, "no topology").At(diag.Range{Filename: filename}))
		return nil, sm, l.diags
	}
	if bad, why := checkTree(root); bad != nil {
		l.diags.Append(diag.Errorf(diag.YAMLSyntax, nil, "%s", why.summary).WithDetail("%s", why.detail).At(l.rangeOf(bad)))
		return nil, sm, l.diags
	}
	if root.Kind != yaml.MappingNode {
		l.errorf(true, diag.InvalidValue, nil, root, "an inline topology is a mapping with at least a name",
			"topology: want a mapping or a file path, got %s", kindName(root))
		return nil, sm, l.diags
	}
	return l.loadRoot(root), sm, l.diags
}
