// Package buildinfo says which vnetsim this is: the version that --version
// prints and that JSON and SARIF outputs carry.
package buildinfo

import "runtime/debug"

// version is set at link time, for a release build:
//
//	go build -ldflags "-X github.com/vnetsim/vnetsim/internal/buildinfo.version=v1.2.0" ./cmd/vnetsim
//
// It is the one package-level variable outside fixed tables that the house
// style allows: the linker writes it once, before main runs, and nothing
// assigns it afterwards, so it is as constant as a const to the program.
var version string

// Version returns vnetsim's version: the one set at link time; else the
// module version Go records in the binary (go install …@v1.2.0 records
// v1.2.0, and go build in a git checkout a pseudo-version of the commit);
// else "devel", as in tests and builds outside version control.
func Version() string {
	if version != "" {
		return version
	}
	return moduleVersion(debug.ReadBuildInfo())
}

// moduleVersion returns the main module's recorded version, or "devel"
// when the build recorded none ("" or "(devel)").
func moduleVersion(info *debug.BuildInfo, ok bool) string {
	if ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
