package main

import "testing"

func TestYAMLToJSON(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"key order kept", "b: 1\na: x\n", "{\n  \"b\": 1,\n  \"a\": \"x\"\n}\n"},
		{"types", "n: 2\nf: 1.5\nt: true\nz: null\ns: \"10\"\n", "{\n  \"n\": 2,\n  \"f\": 1.5,\n  \"t\": true,\n  \"z\": null,\n  \"s\": \"10\"\n}\n"},
		{"flow sequence of prefixes", "a: [10.0.0.0/16, 10.1.0.0/16]\n", "{\n  \"a\": [\n    \"10.0.0.0/16\",\n    \"10.1.0.0/16\"\n  ]\n}\n"},
		{"empty document", "", "null\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := yamlToJSON([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	if _, err := yamlToJSON([]byte("a: [")); err == nil {
		t.Error("broken YAML converted")
	}
}
