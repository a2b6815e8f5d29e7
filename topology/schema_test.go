package topology

import (
	"bytes"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// compileSchema compiles Schema with the draft 2020-12 validator.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatalf("schema.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatalf("compile schema.json: %v", err)
	}
	return sch
}

// yamlInstance turns a YAML file into the JSON value a schema validates.
func yamlInstance(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// TestExamplesMatchSchema checks that every example validates against the
// schema, and that files with unknown, missing or invalid values do not.
func TestExamplesMatchSchema(t *testing.T) {
	sch := compileSchema(t)
	for _, path := range exampleFiles(t, "*.yaml") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if err := sch.Validate(yamlInstance(t, readFile(t, path))); err != nil {
				t.Errorf("schema rejects %s: %v", path, err)
			}
		})
	}
	// Schema-valid: a protocol in another letter case, as ARM writes it.
	tcp := "name: x\naccessControlLists: {a: {rules: [{name: r, priority: 200, type: Inbound, action: Deny, protocol: Tcp}]}}\n"
	if err := sch.Validate(yamlInstance(t, []byte(tcp))); err != nil {
		t.Errorf("schema rejects protocol Tcp: %v", err)
	}
	// Not schema-valid: a value outside its vocabulary, an unknown key, a
	// missing required key.
	for name, text := range map[string]string{
		"platform":      "name: x\nplatform: openstack\n",
		"protocol":      "name: x\naccessControlLists: {a: {rules: [{name: r, priority: 200, type: Inbound, action: Deny, protocol: SCTP}]}}\n",
		"unknown-field": "name: x\nvirtualNetworks: {A: {addressSpace: [10.0.0.0/16], adressSpace: []}}\n",
		"missing-field": "name: x\nvirtualNetworks: {A: {subnets: {}}}\n",
		"name-comma":    "name: x\nvirtualNetworks: {\"A,B\": {addressSpace: [10.0.0.0/16]}}\n",
		"name-space":    "name: x\nvirtualNetworks: {\"A \": {addressSpace: [10.0.0.0/16]}}\n",
		"name-bidi":     "name: x\nvirtualNetworks: {\"A\\u202e\": {addressSpace: [10.0.0.0/16]}}\n",
		"name-address":  "name: x\nvirtualNetworks: {\"10.0.0.4\": {addressSpace: [10.0.0.0/16]}}\n",
		"name-empty":    "name: \"\"\n",
		"name-long":     "name: " + strings.Repeat("n", 81) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			if sch.Validate(yamlInstance(t, []byte(text))) == nil {
				t.Errorf("schema accepts %q", text)
			}
		})
	}
}

// schemaDoc is the part of schema.json that names keys.
type schemaDoc struct {
	Defs map[string]struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	} `json:"$defs"`
}

// TestSchemaKeysMatchLoader checks that at every level the schema allows
// exactly the keys the loader accepts and requires exactly the keys it
// requires. Both sides come from one table per object kind in the loader
// (objectKinds), so a key added to one and not the other fails here.
func TestSchemaKeysMatchLoader(t *testing.T) {
	var doc schemaDoc
	if err := json.Unmarshal(Schema(), &doc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, k := range objectKinds() {
		kinds[k.Name] = true
		t.Run(k.Name, func(t *testing.T) {
			def, ok := doc.Defs[k.Name]
			if !ok {
				t.Fatalf("schema.json has no $defs/%s", k.Name)
			}
			var required []string
			for _, f := range k.Fields {
				if f.Required {
					required = append(required, f.Key)
				}
			}
			keys := k.keys()
			slices.Sort(keys)
			slices.Sort(required)
			req := slices.Sorted(slices.Values(def.Required))
			if diff := cmp.Diff(keys, slices.Sorted(maps.Keys(def.Properties))); diff != "" {
				t.Errorf("keys (-loader +schema):\n%s", diff)
			}
			if !slices.Equal(required, req) {
				t.Errorf("required keys: loader %v, schema %v", required, req)
			}
		})
	}
	for name, def := range doc.Defs {
		if def.Properties != nil && !kinds[name] {
			t.Errorf("schema.json $defs/%s has properties but the loader has no such object kind", name)
		}
	}
}

// The schema describes each peering flag as the flag table does: a
// boolean with its default and its meaning.
func TestSchemaPeeringFlagsMatchTable(t *testing.T) {
	var doc schemaDoc
	if err := json.Unmarshal(Schema(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range PeeringFlags() {
		var prop struct {
			Type        string `json:"type"`
			Default     *bool  `json:"default"`
			Description string `json:"description"`
		}
		if err := json.Unmarshal(doc.Defs["peering"].Properties[f.Key()], &prop); err != nil {
			t.Fatalf("$defs/peering/%s: %v", f.Key(), err)
		}
		if prop.Type != "boolean" || prop.Default == nil || *prop.Default != f.Default() || prop.Description != f.Doc() {
			t.Errorf("$defs/peering/%s is %+v, want a boolean defaulting to %t described %q", f.Key(), prop, f.Default(), f.Doc())
		}
	}
}
