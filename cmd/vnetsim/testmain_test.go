package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain lets the test binary stand in for vnetsim: with
// VNETSIM_TEST_MAIN=1 it runs main, package initialisation and signal
// handling included, on the command line it was given, and exits. Tests
// that drive shell scripts (completion, the GitHub Action, the pre-commit
// hook) put a `vnetsim` on PATH that runs it so.
func TestMain(m *testing.M) {
	if os.Getenv("VNETSIM_TEST_MAIN") == "1" {
		os.Args = append([]string{"vnetsim"}, os.Args[1:]...)
		main()
	}
	os.Exit(m.Run())
}

// vnetsimOnPath writes a `vnetsim` script into a new folder that runs this
// test binary as vnetsim, and returns the folder, to put first on PATH.
func vnetsimOnPath(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := "#!/bin/sh\nVNETSIM_TEST_MAIN=1 exec '" + self + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "vnetsim"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
