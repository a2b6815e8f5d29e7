package scenarios

import (
	"io/fs"
	"net/netip"
	"os"
	"path"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// sameSteps compares parsed scenarios, ignoring file lines, which encoding
// does not keep.
var sameSteps = cmp.Options{
	cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}),
	cmpopts.IgnoreFields(Step{}, "Line"),
	cmpopts.IgnoreFields(Do{}, "Line"),
	cmpopts.IgnoreFields(Check{}, "Line"),
}

// TestEncodeRoundTrip encodes parsed scenarios (one using every event and
// expectation, and every lab) and parses the result back: the steps,
// expectations and metadata are equal.
func TestEncodeRoundTrip(t *testing.T) {
	type source struct {
		name string
		fsys fs.FS
		path string
	}
	sources := []source{{"every-event", os.DirFS(".."), "scenarios/testdata/every-event.yaml"}}
	for _, name := range labNames() {
		sources = append(sources, source{"lab " + name, labFS, path.Join("labs", name, "scenario.yaml")})
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			first, ds := parseFromFS(src.fsys, src.path, nil)
			if first == nil {
				t.Fatal(ds.Err())
			}
			data, err := Encode(first)
			if err != nil {
				t.Fatal(err)
			}
			second, ds := parseFromFS(src.fsys, src.path, data)
			if second == nil {
				t.Fatalf("parse of the encoding: %v\n%s", ds.Err(), data)
			}
			if diff := cmp.Diff(first.Steps, second.Steps, sameSteps); diff != "" {
				t.Errorf("steps differ after a round trip (-before +after):\n%s\nencoding:\n%s", diff, data)
			}
			if first.Name != second.Name || first.Description != second.Description ||
				!cmp.Equal(first.Hints, second.Hints) || first.TopologyPath != second.TopologyPath {
				t.Errorf("metadata differs: %q %q %q %q vs %q %q %q %q", first.Name, first.Description, first.Hints, first.TopologyPath,
					second.Name, second.Description, second.Hints, second.TopologyPath)
			}
			again, err := Encode(second)
			if err != nil || string(again) != string(data) {
				t.Errorf("encoding is not stable:\n%s\nthen\n%s", data, again)
			}
		})
	}
}

// parseFromFS parses name from fsys, or data in its place when given, so
// that an encoding is parsed where the original was.
func parseFromFS(fsys fs.FS, name string, data []byte) (*Scenario, diag.Diagnostics) {
	if data == nil {
		var err error
		if data, err = fs.ReadFile(fsys, name); err != nil {
			return nil, diag.Diagnostics{fileError(name, err)}
		}
	}
	return parse(name, data, func(rel string) (string, []byte, error) {
		full := path.Join(path.Dir(name), rel)
		b, err := fs.ReadFile(fsys, full)
		return full, b, err
	})
}
