package sim

import (
	"testing"

	"github.com/vnetsim/vnetsim/topology/diag"
)

func TestLint(t *testing.T) {
	tests := []struct {
		name string
		topo string
		want []string // "code path related-path"
	}{
		{"§3 a spoke refusing forwarded traffic from the hub's appliance", hs("S2_AFT", "false"),
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
