package fileio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, data string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(name, mode); err != nil { // WriteFile's mode is less the umask
		t.Fatal(err)
	}
}

func readString(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// noTemps fails when a temporary file is left in dir.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	var f Files
	if err := f.Write(out, []byte("one"), false); err != nil {
		t.Fatalf("new file: %v", err)
	}
	if err := f.Write(out, []byte("two"), false); err == nil || !strings.Contains(err.Error(), "use --force") {
		t.Errorf("existing file without replace: %v", err)
	}
	if got := readString(t, out); got != "one" {
		t.Errorf("refused write changed the file: %q", got)
	}
	if err := os.Chmod(out, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := f.Write(out, []byte("three"), true); err != nil {
		t.Fatalf("replace: %v", err)
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := readString(t, out); got != "three" || info.Mode().Perm() != 0o640 {
		t.Errorf("replaced file: %q, mode %v; want three, -rw-r-----", got, info.Mode())
	}
	noTemps(t, dir)
}

// A file in a folder that does not exist is refused naming the file and
// the folder, not the temporary file the write would have used.
func TestWriteMissingFolder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "nodir", "x.dot")
	var f Files
	err := f.Write(out, []byte("x"), false)
	if err == nil || strings.Contains(err.Error(), ".tmp-") || !strings.Contains(err.Error(), "cannot write "+out+": directory") {
		t.Errorf("write into a missing folder: %v", err)
	}
	// Check, which commands call before they work, says so too.
	if err := f.Check(out, false); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("check of a file in a missing folder: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.Check(filepath.Join(file, "x"), false); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("check of a file under a file: %v", err)
	}
}

// A new file gets 0666 less the umask, as any program's new file does.
func TestWriteNewFileHonoursUmask(t *testing.T) {
	dir := t.TempDir()
	// What the umask gives a new file, found the way the writer must: by
	// creating one with 0666.
	probe := filepath.Join(dir, "probe")
	pf, err := os.OpenFile(probe, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	pf.Close()
	want, _ := os.Stat(probe)
	out := filepath.Join(dir, "out.txt")
	var f Files
	if err := f.Write(out, []byte("x"), false); err != nil {
		t.Fatal(err)
	}
	got, _ := os.Stat(out)
	if got.Mode().Perm() != want.Mode().Perm() {
		t.Errorf("new file mode %v, want %v (0666 less the umask)", got.Mode().Perm(), want.Mode().Perm())
	}
}

// Links, directories and other non-regular names are never replaced or
// written through, even with replace; a dangling link counts as existing.
func TestWriteRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.txt")
	writeFile(t, target, "keep", 0o644)
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.txt")
	if err := os.Symlink(filepath.Join(dir, "missing.txt"), dangling); err != nil {
		t.Fatal(err)
	}
	var f Files
	for _, tc := range []struct {
		name    string
		replace bool
		want    string
	}{
		{link, true, "is a symbolic link"},
		{dangling, false, "is a symbolic link"},
		{dangling, true, "is a symbolic link"},
		{dir, true, "is a directory, not a regular file"},
	} {
		if err := f.Write(tc.name, []byte("new"), tc.replace); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s (replace %v): %v, want %q", tc.name, tc.replace, err, tc.want)
		}
	}
	if got := readString(t, target); got != "keep" {
		t.Errorf("written through the link: %q", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, "missing.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dangling link's target was created: %v", err)
	}
	noTemps(t, dir)
}

// An input is never written, under any of its names.
func TestWriteRefusesInputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	writeFile(t, in, "input", 0o644)
	hard := filepath.Join(dir, "hard.yaml")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	var f Files
	f.Input(in)
	f.Input(filepath.Join(dir, "never-existed.yaml")) // nothing to protect, no error
	other := filepath.Join(dir, "sub", "..", "in.yaml")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{in, hard, other} {
		if err := f.Write(name, []byte("x"), true); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
		if err := f.Append(name, []byte("x")); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
			t.Errorf("append to %s: %v, want a refusal", name, err)
		}
	}
	if got := readString(t, in); got != "input" {
		t.Errorf("input changed: %q", got)
	}
}

// A new file is published with link(2): a file someone else created at the
// name meanwhile makes the write fail rather than be replaced.
func TestPublishNewNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.txt")
	tmp := filepath.Join(dir, ".out.txt.tmp-1")
	writeFile(t, tmp, "mine", 0o644)
	writeFile(t, name, "theirs", 0o644) // the other writer won
	if err := publishNew(tmp, name); err == nil || !strings.Contains(err.Error(), "created by another program") {
		t.Errorf("publish over a new file: %v", err)
	}
	if got := readString(t, name); got != "theirs" {
		t.Errorf("the other writer's file was replaced: %q", got)
	}
	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
	if err := publishNew(tmp, name); err != nil || readString(t, name) != "mine" {
		t.Errorf("publish to a free name: %v", err)
	}
}

// Abort removes the temporary files being written and refuses new writes.
func TestAbort(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.txt")
	var f Files
	tmp, file, err := f.createTemp(name)
	if err != nil {
		t.Fatal(err)
	}
	file.Close()
	f.Abort()
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file survived Abort: %v", err)
	}
	if err := f.Write(name, []byte("x"), false); !errors.Is(err, ErrAborted) {
		t.Errorf("write after Abort: %v", err)
	}
	if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("write after Abort created the file: %v", err)
	}
	noTemps(t, dir)
}

func TestAppend(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "summary.md")
	var f Files
	if err := f.Append(name, []byte("a\n")); err != nil {
		t.Fatalf("new file: %v", err)
	}
	if err := f.Append(name, []byte("b\n")); err != nil {
		t.Fatalf("existing file: %v", err)
	}
	if got := readString(t, name); got != "a\nb\n" {
		t.Errorf("appended %q", got)
	}
	link := filepath.Join(dir, "link.md")
	if err := os.Symlink(name, link); err != nil {
		t.Fatal(err)
	}
	if err := f.Append(link, []byte("c\n")); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("append through a link: %v", err)
	}
	if err := f.Append(dir, []byte("c\n")); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("append to a directory: %v", err)
	}
	if got := readString(t, name); got != "a\nb\n" {
		t.Errorf("refused appends changed the file: %q", got)
	}
}

// WriteFunc streams into the temporary file: what write produced is
// published whole, and a write that fails midway publishes nothing, keeps
// the replaced file and leaves no temporary file behind.
func TestWriteFunc(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	var f Files
	chunks := func(w io.Writer) error {
		for i := range 1000 {
			if _, err := fmt.Fprintf(w, "line %d\n", i); err != nil {
				return err
			}
		}
		return nil
	}
	if err := f.WriteFunc(out, false, chunks); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, out); !strings.HasPrefix(got, "line 0\n") || !strings.HasSuffix(got, "line 999\n") {
		t.Errorf("streamed file is %d bytes, not the 1000 lines written", len(got))
	}
	broken := errors.New("renderer failed")
	err := f.WriteFunc(out, true, func(w io.Writer) error {
		if _, err := io.WriteString(w, strings.Repeat("x", 1<<17)); err != nil { // past the buffer
			return err
		}
		return broken
	})
	if !errors.Is(err, broken) {
		t.Errorf("failed write: %v, want the renderer's error", err)
	}
	if got := readString(t, out); !strings.HasPrefix(got, "line 0\n") {
		t.Errorf("a failed write replaced the file: %.20q", got)
	}
	noTemps(t, dir)
	if err := f.WriteFunc(filepath.Join(dir, "new.txt"), false, func(io.Writer) error { return broken }); !errors.Is(err, broken) {
		t.Errorf("failed new write: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "new.txt")); !os.IsNotExist(err) {
		t.Errorf("a failed write published a new file: %v", err)
	}
	noTemps(t, dir)
}
