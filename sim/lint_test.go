package sim

import (
	"maps"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

func TestLint(t *testing.T) {
	tests := []struct {
		name string
		topo string
		want []string // "code path related-path"
	}{
		{"a spoke refusing forwarded traffic from the hub's appliance", hs("S2_AFT", "false"),
			[]string{"forwarded-traffic-blocked routeTables.rt-spoke.routes[0] virtualNetworks.spoke2.peerings.spoke2-to-hub"}},
		{"every spoke accepts forwarded traffic", hs(), nil},
		{"an appliance in the same VNet forwards nothing across a peering", aclTopo("windows-sdn", "", ""), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range Lint(loadT(t, tt.topo)) {
				if d.Severity != diag.Warning || !d.Valid() || d.Detail == "" {
					t.Errorf("diagnostic %+v is not a valid warning with a fix", d)
				}
				rel := ""
				if len(d.Related) > 0 {
					rel = d.Related[0].Path.String()
				}
				got = append(got, string(d.Code)+" "+d.Path.String()+" "+rel)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got %q, want %q", got[i], tt.want[i])
				}
			}
		})
	}
}

func TestValidateAddsLints(t *testing.T) {
	n := loadT(t, hs("S2_AFT", "false"))
	ds := Validate(n)
	if ds.HasErrors() {
		t.Fatalf("errors: %v", ds.Err())
	}
	found := false
	for _, d := range ds {
		found = found || d.Code == diag.ForwardedTrafficBlocked
	}
	if !found {
		t.Error("Validate does not include the engine's lints")
	}
	for _, path := range []string{"../examples/hub-spoke.yaml", "../examples/chain.yaml"} {
		if ds := Validate(loadFileT(t, path)); ds.HasErrors() || len(Lint(loadFileT(t, path))) != 0 {
			t.Errorf("%s: %v, lints %v", path, ds.Err(), Lint(loadFileT(t, path)))
		}
	}
}

// Engine.Validate reports what loading found, each diagnostic once, then
// the model's checks, then the lints unless asked not to.
func TestEngineValidate(t *testing.T) {
	text := strings.Replace(hs("S2_AFT", "false"), "  far:\n    addressSpace: [10.9.0.0/16]", "  far:\n    bogus: 1\n    addressSpace: [10.8.0.0/16]", 1)
	n, _, loaded := topology.Load("t.yaml", []byte(text))
	if n == nil {
		t.Fatalf("load: %v", loaded.Err())
	}
	_, _, checked := topology.Check("t.yaml", []byte(text))
	count := func(ds diag.Diagnostics) map[diag.Code]int {
		m := map[diag.Code]int{}
		for _, d := range ds {
			m[d.Code]++
		}
		return m
	}
	if got := count(loaded); got[diag.UnknownField] != 1 || got[diag.SubnetOutsideAddressSpace] != 1 {
		t.Fatalf("the fixture loads with %v, want an unknown field and a subnet outside its space", got)
	}
	want := map[diag.Code]int{diag.UnknownField: 1, diag.SubnetOutsideAddressSpace: 1, diag.ForwardedTrafficBlocked: 1}
	for _, tc := range []struct {
		name string
		opts ValidateOptions
		want map[diag.Code]int
	}{
		{"everything Load reported", ValidateOptions{Loaded: loaded}, want},
		{"the file's own diagnostics", ValidateOptions{Loaded: topology.FileDiagnostics(loaded, n)}, want},
		{"no lints", ValidateOptions{Loaded: loaded, NoLints: true}, map[diag.Code]int{diag.UnknownField: 1, diag.SubnetOutsideAddressSpace: 1}},
		{"nothing loaded", ValidateOptions{}, map[diag.Code]int{diag.SubnetOutsideAddressSpace: 1, diag.ForwardedTrafficBlocked: 1}},
		{"checked as loaded", ValidateOptions{Loaded: checked, Checked: true}, want},
	} {
		got := count(New(n).Validate(tc.opts))
		if !maps.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
