//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vnetsim/vnetsim/internal/fileio"
)

func mkfifo(t *testing.T, name string) string {
	t.Helper()
	if err := syscall.Mkfifo(name, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return name
}

// Inputs are read through the size limit and must be regular files: a
// device, a named pipe or a huge sparse file is refused before it is read,
// whether named on the command line or as a scenario's topology. None of
// these may block or read without end.
func TestInputsMustBeRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := mkfifo(t, filepath.Join(dir, "pipe.yaml"))
	sparse := write(t, dir, "sparse.yaml", "")
	if err := os.Truncate(sparse, 3<<30); err != nil {
		t.Fatal(err)
	}
	zeroTopo := write(t, dir, "zero-topology.scenario", "name: s\ntopology: /dev/zero\nsteps:\n  - name: a\n    expect:\n      - valid: {}\n")

	expectExit(t, 2, "cannot read /dev/zero: not a regular file but a character device", "validate", "/dev/zero")
	expectExit(t, 2, "cannot read "+fifo+": not a regular file but a named pipe (FIFO)", "validate", fifo)
	// A scenario named on the command line that cannot be read cannot be
	// run, as validate and diff say of such a file: it used to be a failed
	// scenario (exit 1) reported as yaml-syntax.
	expectExit(t, 2, "cannot read "+fifo+": not a regular file but a named pipe (FIFO)", "run", fifo)
	expectExit(t, 2, "cannot read "+sparse+": 3221225472 bytes is larger than the 256 MiB limit", "trace", sparse, "--from", "a", "--to", "b")

	code, stdout, _ := vnetsim(t, "run", zeroTopo)
	if code != 1 || !strings.Contains(stdout, "cannot read topology \"/dev/zero\": not a regular file but a character device") {
		t.Errorf("topology: /dev/zero: exit %d, stdout %q", code, stdout)
	}
	// A folder holding a pipe named like a scenario: the run reports it
	// rather than waiting for a writer.
	copyTestdata(t, dir, "chain.yaml")
	write(t, dir, "pass.yaml", read(t, "testdata/pass.yaml"))
	code, stdout, _ = vnetsim(t, "run", dir)
	if code != 1 || !strings.Contains(stdout, "not a regular file but a named pipe (FIFO)") || !strings.Contains(stdout, "PASS chain is not transitive") {
		t.Errorf("run DIR with a pipe: exit %d, stdout %q", code, stdout)
	}
}

// Outputs: a named pipe is never replaced, and a new file gets 0666 less
// the umask, as other programs' new files do.
func TestOutputModes(t *testing.T) {
	dir := t.TempDir()
	chain := copyTestdata(t, dir, "chain.yaml")
	fifo := mkfifo(t, filepath.Join(dir, "out.dot"))
	expectExit(t, 2, "is a named pipe (FIFO), not a regular file", "render", chain, "-o", fifo, "--force")
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was replaced")
	}

	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	out := filepath.Join(dir, "new.dot")
	expectExit(t, 0, "", "render", chain, "-o", out)
	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("new file under umask 027: %v, want -rw-r-----", info.Mode().Perm())
	}
}

// Standard input redirected from a file is an input too: render - -o F < F
// does not replace F.
func TestStdinFileIsAnInput(t *testing.T) {
	dir := t.TempDir()
	chain := copyTestdata(t, dir, "chain.yaml")
	in, err := os.Open(chain)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var stdout, stderr bytes.Buffer
	code := run([]string{"vnetsim", "render", "-", "-o", chain, "--force"}, in, &stdout, &stderr, &fileio.Files{})
	if code != 2 || !strings.Contains(stderr.String(), "is the input <stdin>") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if got := read(t, chain); got != read(t, "testdata/chain.yaml") {
		t.Errorf("the input was replaced")
	}
}
