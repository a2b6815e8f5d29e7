package fileio

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.yaml")
	if err := os.WriteFile(small, []byte("name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(small, 100); err != nil || string(data) != "name: x\n" {
		t.Errorf("regular file: %q, %v", data, err)
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(small, link); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(link, 100); err != nil || string(data) != "name: x\n" {
		t.Errorf("a link is followed: %q, %v", data, err)
	}
	// A sparse file far over the limit is refused from its size, without
	// being read (a read of 3 GB would not finish in a unit test's memory).
	sparse := filepath.Join(dir, "sparse.yaml")
	if err := os.WriteFile(sparse, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(sparse, 3<<30); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(sparse, 32<<20)
	var le *LimitError
	if !errors.As(err, &le) || le.Size != 3<<30 {
		t.Errorf("3 GB file: %v, want a LimitError with its size", err)
	}
	if got := Message(err); got != "3221225472 bytes is larger than the 32 MiB limit (docs/limits.md)" {
		t.Errorf("message %q", got)
	}
	if _, err := ReadFile(dir, 100); err == nil || Message(err) != "not a regular file but a directory" {
		t.Errorf("directory: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "nope"), 100); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadAll(t *testing.T) {
	if data, err := ReadAll(strings.NewReader("abc"), 3); err != nil || string(data) != "abc" {
		t.Errorf("at the limit: %q, %v", data, err)
	}
	_, err := ReadAll(bytes.NewReader(make([]byte, 4)), 3)
	var le *LimitError
	if !errors.As(err, &le) || err.Error() != "larger than the 3 bytes limit (docs/limits.md)" {
		t.Errorf("over the limit: %v", err)
	}
}
