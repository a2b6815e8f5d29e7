package importer

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vnetsim/vnetsim/topology"
)

// BenchmarkImport compares importing an estate's Azure JSON with loading
// the same estate's topology file: the import must cost no more than the
// load (docs/performance.md). The 10,020-VNet estate runs only with
// VNETSIM_BENCH_LARGE=1, like sim's large benchmarks.
func BenchmarkImport(b *testing.B) {
	sizes := []struct{ hubs, spokes int }{{2, 500}}
	if os.Getenv("VNETSIM_BENCH_LARGE") != "" {
		sizes = append(sizes, struct{ hubs, spokes int }{20, 500})
	}
	for _, sz := range sizes {
		n := topology.Generate(topology.GenerateOptions{Hubs: sz.hubs, Spokes: sz.spokes, SubnetsPerSpoke: 2, Platform: topology.Azure})
		jsonData := exportAzure(n)
		yamlData, err := topology.Marshal(n)
		if err != nil {
			b.Fatal(err)
		}
		vnets := len(n.VirtualNetworks)
		b.Run(fmt.Sprintf("vnets=%d/import-json", vnets), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(jsonData)))
			for b.Loop() {
				if r := Import(Azure, []Input{{Filename: "estate.json", Data: jsonData}}, Options{}); r.Network == nil || len(r.Diagnostics) > 0 {
					b.Fatalf("import failed: %v", r.Diagnostics.Err())
				}
			}
		})
		b.Run(fmt.Sprintf("vnets=%d/load-yaml", vnets), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(yamlData)))
			for b.Loop() {
				if net, _, ds := topology.Load("estate.yaml", yamlData); net == nil || ds.HasErrors() {
					b.Fatalf("load failed: %v", ds.Err())
				}
			}
		})
	}
}

// BenchmarkParseWideObject parses an object of 100,000 keys, as a VNet's
// tags could hold: repeated keys are found through an index, not by
// comparing each key with every earlier one (18 s before, quadratic).
func BenchmarkParseWideObject(b *testing.B) {
	var s strings.Builder
	s.WriteString("{")
	for i := range 100_000 {
		fmt.Fprintf(&s, `"tag%d": "v", `, i)
	}
	s.WriteString(`"last": 0}`)
	text := s.String()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseJSON(text); err != nil {
			b.Fatal(err)
		}
	}
}
