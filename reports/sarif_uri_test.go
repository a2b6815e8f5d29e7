package reports

import "testing"

// A file's SARIF URI is percent-encoded segment by segment: "#" would start
// a fragment and a space or a bare "%" is not a URI, so code scanning
// would attach the result to another file or to none.
func TestFileURI(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"examples/hub-spoke.yaml", "examples/hub-spoke.yaml"},
		{"my topo#1%.yaml", "my%20topo%231%25.yaml"},
		{"dir with space/a?b.yaml", "dir%20with%20space/a%3Fb.yaml"},
		{"/abs/path/x.yaml", "/abs/path/x.yaml"},
		{"lab:hub-spoke", "lab:hub-spoke"},
		{"<stdin>", "%3Cstdin%3E"},
		{"x:y.yaml", "x%3Ay.yaml"},
		{"lab:foo.yaml", "lab%3Afoo.yaml"},
		{"dir/x:y.yaml", "dir/x:y.yaml"},
	} {
		if got := fileURI(tc.file); got != tc.want {
			t.Errorf("fileURI(%q) = %q, want %q", tc.file, got, tc.want)
		}
	}
}
