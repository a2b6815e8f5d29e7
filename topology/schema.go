package topology

import (
	_ "embed"
	"slices"
)

//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of the topology format,
// for editors (the examples name it in a yaml-language-server comment) and
// for tools that check files before loading them. The caller owns the
// returned slice.
func Schema() []byte { return slices.Clone(schemaJSON) }
