package sim

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/internal/simtest"
	"github.com/vnetsim/vnetsim/topology"
)

// TestGoldenTraces pins whole traces of the example files, hops, steps,
// explanations and path facts, in the compact text of render. Rewrite with
// -update and review the diff of testdata/trace like code.
func TestGoldenTraces(t *testing.T) {
	tests := []struct {
		name, file, from, to string
		proto                topology.Protocol
		port                 uint16
		reply                bool
	}{
		{"hub-spoke_app1_to_app2_via_nva", "hub-spoke.yaml", "app1", "app2", topology.TCP, 443, true},
		{"hub-spoke_app2_ssh_to_app1_denied", "hub-spoke.yaml", "app2", "app1", topology.TCP, 22, false},
		{"hub-spoke_app1_to_web-ilb", "hub-spoke.yaml", "app1", "web-ilb", topology.TCP, 443, true},
		{"hub-spoke_app1_to_web-ilb_http_no_rule", "hub-spoke.yaml", "app1", "web-ilb", topology.TCP, 80, false},
		{"hub-spoke_app1_to_onprem", "hub-spoke.yaml", "app1", "op1", topology.TCP, 443, true},
		{"hub-spoke_onprem_to_app3", "hub-spoke.yaml", "op1", "app3", topology.UDP, 53, false},
		{"hub-spoke_subnet_to_subnet", "hub-spoke.yaml", "spoke1/app", "spoke2/app", topology.ICMP, 0, false},
		{"chain_a1_to_b1", "chain.yaml", "a1", "b1", topology.TCP, 443, true},
		{"chain_a1_to_c1_not_transitive", "chain.yaml", "a1", "c1", topology.TCP, 443, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(loadFileT(t, filepath.Join("..", "examples", tt.file)))
			f, err := e.NewFlow(tt.from, tt.to, tt.proto, tt.port)
			if err != nil {
				t.Fatal(err)
			}
			tr := e.Trace(f)
			got := render(tr)
			if tt.reply {
				got += "\nreply\n" + render(e.TraceReturn(tr))
			}
			golden(t, filepath.Join("testdata", "trace", tt.name+".golden"), got)
		})
	}
}

// TestGoldenRoutes pins effective route tables of the examples.
func TestGoldenRoutes(t *testing.T) {
	e := New(loadFileT(t, "../examples/hub-spoke.yaml"))
	var b strings.Builder
	for _, s := range [][2]string{{"spoke1", "app"}, {"hub", "nva"}, {"hub", "GatewaySubnet"}} {
		rt, err := e.Routes(s[0], s[1])
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(rt.Subnet + "\n")
		for _, r := range rt.Routes {
			b.WriteString("  " + r.String() + " " + r.Source.String() + " " + r.State.String() + " <" + r.Origin.String() + ">\n")
		}
	}
	golden(t, filepath.Join("testdata", "trace", "hub-spoke_routes.golden"), b.String())
}

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	simtest.Golden(t, path, []byte(got))
}

// TestGoldenReach pins the subnet-level reach of the hub-spoke example over
// every TCP port, and the azure reading of a small fixture's NSG steps.
func TestGoldenReach(t *testing.T) {
	e := New(loadFileT(t, "../examples/hub-spoke.yaml"))
	r := e.Reach(ReachOptions{Level: LevelSubnet, Protocol: topology.TCP})
	var b strings.Builder
	fmt.Fprintf(&b, "level %s: all %d, some %d, none %d\n", r.Level, r.Counts.All, r.Counts.Some, r.Counts.None)
	for _, p := range r.Pairs {
		fmt.Fprintf(&b, "%s -> %s %s (%d/%d classes)", p.From, p.To, p.Result, p.DeliveredClasses, p.Classes)
		if p.Example != nil {
			fmt.Fprintf(&b, " e.g. %s:%d -> %s: %s: %s", p.Example.Src, p.Example.Port, p.Example.Dst, p.Reason, p.Explanation)
		}
		b.WriteByte('\n')
	}
	golden(t, filepath.Join("testdata", "trace", "hub-spoke_reach_subnet_tcp.golden"), b.String())
}

func TestGoldenAzureNSG(t *testing.T) {
	n := loadT(t, aclTopo("azure", "deny-all-in", "allow-ssh-first"))
	e := New(n)
	var b strings.Builder
	for _, c := range [][2]string{{"a1", "b1"}, {"c1", "b1"}} {
		b.WriteString(render(traceT(t, e, c[0], c[1], 22)))
		b.WriteByte('\n')
	}
	golden(t, filepath.Join("testdata", "trace", "azure_nsg_defaults.golden"), b.String())
}
