package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestModuleVersion(t *testing.T) {
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"go install of a release", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, true, "v1.2.0"},
		{"go build in a checkout", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260101120000-0123456789ab+dirty"}}, true, "v0.0.0-20260101120000-0123456789ab+dirty"},
		{"a test binary", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "devel"},
		{"nothing recorded", &debug.BuildInfo{}, true, "devel"},
		{"no build information", nil, false, "devel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := moduleVersion(tc.info, tc.ok); got != tc.want {
				t.Errorf("moduleVersion = %q, want %q", got, tc.want)
			}
		})
	}
}

// Tests are not linked with -X, so Version falls back to the module
// version Go records for a test binary: "devel". Golden files rely on it.
func TestVersionInTests(t *testing.T) {
	if got := Version(); got != "devel" {
		t.Errorf("Version() = %q in a test binary, want devel", got)
	}
}
