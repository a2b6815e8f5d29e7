//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// asMain runs this test binary as vnetsim (see TestMain), to see what
// happens before main, package initialisation, with args and env added to the
// environment, and returns its exit error and output.
func asMain(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "VNETSIM_TEST_MAIN=1"), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// go-graphviz compiles graphviz to machine code when it initialises, in
// every command, and caches the code in $TMPDIR/go-graphviz, which another
// user of a shared machine may own. vnetsim points it at a private cache
// instead, and refuses a cache directory it does not own.
func TestGraphvizCache(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles graphviz's WebAssembly")
	}
	tmp, cache := t.TempDir(), t.TempDir()
	env := []string{"TMPDIR=" + tmp, "XDG_CACHE_HOME=" + cache}
	if out, err := asMain(t, env, "--help"); err != nil || !strings.Contains(out, "USAGE") {
		t.Fatalf("--help: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(tmp, "go-graphviz")); !os.IsNotExist(err) {
		t.Errorf("--help made $TMPDIR/go-graphviz (%v)", err)
	}
	info, err := os.Stat(filepath.Join(cache, "vnetsim"))
	if err != nil || !info.IsDir() || info.Mode().Perm() != 0o700 {
		t.Fatalf("private cache: %v, %v; want a directory with mode 0700", info, err)
	}
	if _, err := os.Stat(filepath.Join(cache, "vnetsim", "go-graphviz")); err != nil {
		t.Errorf("graphviz's cache is not in the private directory: %v", err)
	}
	out, err := asMain(t, env, "render", "testdata/chain.yaml", "--format", "svg")
	if err != nil || !strings.Contains(out, "<svg") {
		t.Errorf("render with the private cache: %v\n%.200s", err, out)
	}

	// A cache directory that someone else owns is not used.
	if os.Geteuid() != 0 {
		t.Skip("making a directory another user owns needs root")
	}
	hostile := t.TempDir()
	theirs := filepath.Join(hostile, "vnetsim")
	if err := os.Mkdir(theirs, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(theirs, 65534, 65534); err != nil {
		t.Skipf("chown: %v", err)
	}
	if err := os.Chmod(theirs, 0o777); err != nil {
		t.Fatal(err)
	}
	if out, err := asMain(t, []string{"TMPDIR=" + tmp, "XDG_CACHE_HOME=" + hostile}, "--help"); err != nil {
		t.Fatalf("--help: %v\n%s", err, out)
	}
	for _, dir := range []string{filepath.Join(theirs, "go-graphviz"), filepath.Join(tmp, "go-graphviz")} {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s was used (%v)", dir, err)
		}
	}
}
