package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchema compiles testdata/sarif-2.1.0.schema.json, a trimmed SARIF
// 2.1.0 schema (its description says what is left out).
func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif-2.1.0.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://vnetsim.example/testdata/sarif-2.1.0.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSARIFMatchesSchema(t *testing.T) {
	schema := compileSARIFSchema(t)
	for _, tc := range []struct {
		name   string
		render func(w io.Writer) error
	}{
		{"validate", func(w io.Writer) error { return ValidateSARIF(w, validateFiles()) }},
		{"validate-empty", func(w io.Writer) error { return ValidateSARIF(w, nil) }},
		{"run-with-code-flow", func(w io.Writer) error { return RunSARIF(w, runFixture()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			v, err := jsonschema.UnmarshalJSON(&b)
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("output does not match the SARIF schema: %v", err)
			}
		})
	}
}

// The schema test must be able to fail: a misspelt property is refused.
func TestSARIFSchemaRejectsInventedProperty(t *testing.T) {
	schema := compileSARIFSchema(t)
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","helpURI":"y"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if schema.Validate(v) == nil {
		t.Error("schema accepted an invented property")
	}
}

// xsdElement is what the structural JUnit check knows of one declared
// element: its attributes and the children it may hold.
type xsdElement struct {
	attrs    map[string]xsdAttr
	children map[string]int // name → maxOccurs; -1 unbounded
	choices  [][]string     // groups of which at most one member may appear
}

type xsdAttr struct {
	typ      string
	required bool
}

// xsdNode is a generic parse of the schema file.
type xsdNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xsdNode  `xml:",any"`
}

func (n xsdNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// loadXSD reads the global element declarations of testdata/junit.xsd.
func loadXSD(t *testing.T) map[string]*xsdElement {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "junit.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	var root xsdNode
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	out := map[string]*xsdElement{}
	for _, el := range root.Children {
		if el.XMLName.Local != "element" {
			continue
		}
		e := &xsdElement{attrs: map[string]xsdAttr{}, children: map[string]int{}}
		var walk func(n xsdNode, choice *[]string)
		walk = func(n xsdNode, choice *[]string) {
			for _, c := range n.Children {
				switch c.XMLName.Local {
				case "attribute":
					e.attrs[c.attr("name")] = xsdAttr{typ: c.attr("type"), required: c.attr("use") == "required"}
				case "element":
					max := 1
					if m := c.attr("maxOccurs"); m == "unbounded" {
						max = -1
					} else if m != "" {
						max, _ = strconv.Atoi(m)
					}
					e.children[c.attr("ref")] = max
					if choice != nil {
						*choice = append(*choice, c.attr("ref"))
					}
				case "choice":
					var group []string
					walk(c, &group)
					if c.attr("maxOccurs") == "1" || c.attr("maxOccurs") == "" {
						e.choices = append(e.choices, group)
					}
				default:
					walk(c, choice)
				}
			}
		}
		walk(el, nil)
		out[el.attr("name")] = e
	}
	return out
}

// checkXSD checks a document against the declarations: element names,
// allowed children and how often they occur, unknown and missing
// attributes, and integer and decimal values.
func checkXSD(schema map[string]*xsdElement, doc []byte, root string) error {
	var n xsdNode
	if err := xml.Unmarshal(doc, &n); err != nil {
		return fmt.Errorf("not XML: %w", err)
	}
	if n.XMLName.Local != root {
		return fmt.Errorf("root is <%s>, want <%s>", n.XMLName.Local, root)
	}
	var check func(n xsdNode, path string) error
	check = func(n xsdNode, path string) error {
		path += "/" + n.XMLName.Local
		decl := schema[n.XMLName.Local]
		if decl == nil {
			return fmt.Errorf("%s: element not declared", path)
		}
		seen := map[string]bool{}
		for _, a := range n.Attrs {
			d, ok := decl.attrs[a.Name.Local]
			if !ok {
				return fmt.Errorf("%s: attribute %s not declared", path, a.Name.Local)
			}
			seen[a.Name.Local] = true
			switch d.typ {
			case "xs:int":
				if _, err := strconv.Atoi(a.Value); err != nil {
					return fmt.Errorf("%s/@%s: %q is not an xs:int", path, a.Name.Local, a.Value)
				}
			case "xs:decimal":
				if _, err := strconv.ParseFloat(a.Value, 64); err != nil || strings.ContainsAny(a.Value, "eE") {
					return fmt.Errorf("%s/@%s: %q is not an xs:decimal", path, a.Name.Local, a.Value)
				}
			}
		}
		for name, d := range decl.attrs {
			if d.required && !seen[name] {
				return fmt.Errorf("%s: required attribute %s missing", path, name)
			}
		}
		count := map[string]int{}
		for _, c := range n.Children {
			name := c.XMLName.Local
			max, ok := decl.children[name]
			if !ok {
				return fmt.Errorf("%s: <%s> not allowed here", path, name)
			}
			count[name]++
			if max >= 0 && count[name] > max {
				return fmt.Errorf("%s: more than %d <%s>", path, max, name)
			}
			if err := check(c, path); err != nil {
				return err
			}
		}
		for _, group := range decl.choices {
			used := 0
			for _, name := range group {
				used += count[name]
			}
			if used > 1 {
				return fmt.Errorf("%s: more than one of %v", path, group)
			}
		}
		return nil
	}
	return check(n, "")
}

func TestJUnitMatchesXSD(t *testing.T) {
	schema := loadXSD(t)
	for _, tc := range []struct {
		name   string
		render func(w io.Writer) error
	}{
		{"validate", func(w io.Writer) error { return ValidateJUnit(w, validateFiles(), Options{}) }},
		{"validate-strict", func(w io.Writer) error { return ValidateJUnit(w, validateFiles(), Options{Strict: true}) }},
		{"run", func(w io.Writer) error { return RunJUnit(w, runFixture()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			if err := checkXSD(schema, b.Bytes(), "testsuites"); err != nil {
				t.Error(err)
			}
		})
	}
}

// The structural check must be able to fail.
func TestXSDCheckRejects(t *testing.T) {
	schema := loadXSD(t)
	for _, tc := range []struct{ name, doc string }{
		{"unknown element", `<testsuites><suite/></testsuites>`},
		{"missing required attribute", `<testsuites><testsuite tests="1"/></testsuites>`},
		{"not an int", `<testsuites><testsuite name="a" tests="x"/></testsuites>`},
		{"two failures", `<testsuites><testsuite name="a" tests="1"><testcase name="c"><failure/><failure/></testcase></testsuite></testsuites>`},
		{"failure and error", `<testsuites><testsuite name="a" tests="1"><testcase name="c"><failure/><error/></testcase></testsuite></testsuites>`},
		{"unknown attribute", `<testsuites><testsuite name="a" tests="1" colour="red"/></testsuites>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if checkXSD(schema, []byte(tc.doc), "testsuites") == nil {
				t.Errorf("accepted %s", tc.doc)
			}
		})
	}
}
