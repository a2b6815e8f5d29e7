package topology

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGoodExamples checks that the shipped examples load with no errors.
func TestGoodExamples(t *testing.T) {
	for _, name := range []string{"hub-spoke.yaml", "chain.yaml"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "examples", name)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			n, _, ds := Check(path, data)
			if n == nil {
				t.Fatalf("Check returned no network: %v", ds)
			}
			for _, d := range ds {
				t.Errorf("%s: %s %s: %s", d.Subject, d.Severity, d.Code, d.Message())
			}
		})
	}
}
