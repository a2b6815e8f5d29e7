//go:build unix

package fileio

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A named pipe and a device are refused without blocking and without
// reading: /dev/zero would otherwise be read until memory runs out.
func TestReadFileNotRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, tc := range []struct{ name, kind string }{
		{fifo, "a named pipe (FIFO)"},
		{"/dev/zero", "a character device"},
	} {
		_, err := ReadFile(tc.name, 32<<20)
		var ke *KindError
		if !errors.As(err, &ke) || !strings.HasSuffix(err.Error(), tc.kind) {
			t.Errorf("%s: %v, want a KindError naming %s", tc.name, err, tc.kind)
		}
	}
}

// A named pipe is never replaced by a write, nor appended to.
func TestWriteRefusesNamedPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.txt")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	var f Files
	if err := f.Write(fifo, []byte("x"), true); err == nil || !strings.Contains(err.Error(), "is a named pipe (FIFO), not a regular file") {
		t.Errorf("write: %v", err)
	}
	if err := f.Append(fifo, []byte("x")); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("append: %v", err)
	}
}
