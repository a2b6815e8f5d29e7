// Package fileio reads the files vnetsim is given and writes the files it
// produces, so that every command treats files the same way: inputs are
// read through a size limit and must be regular files; outputs are written
// atomically, never through a link or onto a device, never over a file
// without leave, and never over a file the command has read.
package fileio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ReadFile reads the regular file name whole, refusing anything else
// before opening it: a directory, a device, a named pipe (which would
// block the open) or a socket. A symbolic link is followed. A file larger
// than limit bytes is refused without being read, and a file that grows
// past limit while being read is refused too.
func ReadFile(name string, limit int64) ([]byte, error) {
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if err := readable(name, info, limit); err != nil {
		return nil, err
	}
	// O_NONBLOCK: should name have become a named pipe since the Stat, the
	// open does not wait for a writer; the Stat of the open file refuses it.
	f, err := os.OpenFile(name, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opened, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := readable(name, opened, limit); err != nil {
		return nil, err
	}
	return readLimited(f, opened.Size(), limit)
}

// ReadAll reads r, standard input for example, up to limit bytes; more is
// an error.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	return readLimited(r, 0, limit)
}

// readLimited reads r to its end, sizing the buffer by hint, and refuses
// more than limit bytes.
func readLimited(r io.Reader, hint, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(min(hint, limit)) + 1)
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, &LimitError{Size: -1, Limit: limit}
	}
	return buf.Bytes(), nil
}

// readable returns why the file name, described by info, cannot be read
// as input, or nil.
func readable(name string, info fs.FileInfo, limit int64) error {
	if !info.Mode().IsRegular() {
		return &fs.PathError{Op: "read", Path: name, Err: &KindError{Mode: info.Mode()}}
	}
	if info.Size() > limit {
		return &fs.PathError{Op: "read", Path: name, Err: &LimitError{Size: info.Size(), Limit: limit}}
	}
	return nil
}

// LimitError is the error of an input larger than the limit.
type LimitError struct {
	Size  int64 // the size in bytes, or -1 when only known to be too big
	Limit int64
}

func (e *LimitError) Error() string {
	limit := fmt.Sprintf("%d bytes", e.Limit)
	if e.Limit%(1<<20) == 0 {
		limit = fmt.Sprintf("%d MiB", e.Limit>>20)
	}
	if e.Size < 0 {
		return fmt.Sprintf("larger than the %s limit (docs/limits.md)", limit)
	}
	return fmt.Sprintf("%d bytes is larger than the %s limit (docs/limits.md)", e.Size, limit)
}

// KindError is the error of a file that is not a regular file where one is
// needed.
type KindError struct{ Mode fs.FileMode }

func (e *KindError) Error() string { return "not a regular file but " + Kind(e.Mode) }

// Kind names the kind of file mode describes, with its article: "a
// directory", "a named pipe (FIFO)", "a regular file".
func Kind(mode fs.FileMode) string {
	switch t := mode.Type(); {
	case t == 0:
		return "a regular file"
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeCharDevice != 0:
		return "a character device"
	case t&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file"
}

// Message returns err as a command prints it after the file's name: the
// cause without the operation and path of an *fs.PathError, which the
// caller has already said.
func Message(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
