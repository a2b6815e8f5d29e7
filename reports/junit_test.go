package reports

import (
	"bytes"
	"context"
	"encoding/xml"
	"testing"

	"github.com/vnetsim/vnetsim/scenarios"
)

// TestRunJUnitMatchesScore: the JUnit report counts the tests and failures
// the score does. A check is a test, and a step with an unexpected refusal
// one more, failed, whether or not its checks pass: the score used to leave
// the refusal out (full marks for a failed scenario), and JUnit to leave it
// out when a check of the step failed too.
func TestRunJUnitMatchesScore(t *testing.T) {
	sc, ds := scenarios.Parse("s.yaml", []byte(`name: s
topology:
  name: t
  networkController: nc1
  virtualNetworks:
    A: {addressSpace: [10.1.0.0/16], peerings: {a-to-b: {remoteVirtualNetwork: B}}}
    B: {addressSpace: [10.2.0.0/16], peerings: {b-to-a: {remoteVirtualNetwork: A}}}
steps:
  - name: refused while its checks pass
    do:
      - addAddressPrefix: {vnet: A, prefix: 10.9.0.0/16}
    expect:
      - peering: {vnet: A, name: a-to-b, state: Connected}
  - name: refused and a check fails
    do:
      - addAddressPrefix: {vnet: A, prefix: 10.9.0.0/16}
    expect:
      - peering: {vnet: A, name: a-to-b, state: Initiated}
`))
	if sc == nil {
		t.Fatal(ds.Err())
	}
	res := scenarios.Run(context.Background(), sc, scenarios.Options{})
	if res.Passed || res.Score != 1 || res.MaxScore != 4 {
		t.Errorf("passed=%v score %d/%d, want a failed scenario scoring 1/4 (two checks, two refusals)", res.Passed, res.Score, res.MaxScore)
	}
	var b bytes.Buffer
	if err := RunJUnit(&b, &scenarios.Result{Scenarios: []scenarios.ScenarioResult{res}}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != res.MaxScore || doc.Failures != res.MaxScore-res.Score {
		t.Errorf("JUnit tests=%d failures=%d, score %d/%d: they should agree\n%s", doc.Tests, doc.Failures, res.Score, res.MaxScore, b.String())
	}
}
