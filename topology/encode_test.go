package topology

import "testing"

// TestMarshalRoundTrips checks Load(Marshal(n)) gives n back, for generated
// estates and the example files.
func TestMarshalRoundTrips(t *testing.T) {
	cases := map[string]*Network{
		"generated windows-sdn": Generate(GenerateOptions{Hubs: 2, Spokes: 3}),
		"generated azure":       Generate(GenerateOptions{Hubs: 1, Spokes: 2, SubnetsPerSpoke: 2, Platform: Azure}),
	}
	for _, path := range exampleFiles(t, "*.yaml") {
		cases[path] = loadT(t, string(readFile(t, path)))
	}
	for name, n := range cases {
		t.Run(name, func(t *testing.T) {
			data, err := Marshal(n)
			if err != nil {
				t.Fatal(err)
			}
			back, _, ds := Load("marshalled.yaml", data)
			if back == nil || ds.HasErrors() {
				t.Fatalf("marshalled file does not load: %v\n%s", ds.Err(), data)
			}
			if ds := Validate(back); ds.HasErrors() {
				t.Fatalf("marshalled file does not validate: %v", ds.Err())
			}
			if a, b := fingerprint(n), fingerprint(back); a != b {
				t.Errorf("round trip differs:\n%s\n---\n%s", a, b)
			}
			again, err := Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(data) {
				t.Errorf("marshalling is not stable:\n%s\n---\n%s", data, again)
			}
		})
	}
	if _, err := Marshal(nil); err == nil {
		t.Error("Marshal(nil) gave no error")
	}
}
