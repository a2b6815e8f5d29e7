package fileio

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// ErrAborted is the error of a write asked for after Abort.
var ErrAborted = errors.New("interrupted")

// Files is what one command has read and is writing: the inputs, which it
// may never write, and the temporary files it has open, which Abort
// removes. Its methods are safe for concurrent use; the zero value is
// ready.
type Files struct {
	mu      sync.Mutex
	inputs  []input
	temps   map[string]bool
	aborted bool
}

type input struct {
	name string
	info fs.FileInfo
}

// Input records name as an input of the command, when it exists; call it
// before reading name, so that a file that then fails to load is still
// protected.
func (f *Files) Input(name string) {
	if info, err := os.Stat(name); err == nil {
		f.InputInfo(name, info)
	}
}

// InputInfo records the file described by info as an input named name
// (standard input, for example, when it is a file).
func (f *Files) InputInfo(name string, info fs.FileInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inputs = append(f.inputs, input{name, info})
}

// isInput returns the input that info describes, if any.
func (f *Files) isInput(info fs.FileInfo) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, in := range f.inputs {
		if os.SameFile(in.info, info) {
			return in.name, true
		}
	}
	return "", false
}

// Check returns why name may not be written, or nil: it is an input (under
// any name: a link or another spelling of it counts), it exists and
// replace is false, or it is not a regular file (a symbolic link, even a
// dangling one, a directory, a device, a named pipe or a socket), which is
// never replaced.
func (f *Files) Check(name string, replace bool) error {
	_, err := f.check(name, replace)
	return err
}

// check is Check that also returns the existing file's mode, or nil when
// name does not exist.
func (f *Files) check(name string, replace bool) (fs.FileInfo, error) {
	if info, err := os.Stat(name); err == nil {
		if in, ok := f.isInput(info); ok {
			if in == name {
				return nil, fmt.Errorf("%s is an input of this command; refusing to overwrite it", name)
			}
			return nil, fmt.Errorf("%s is the input %s; refusing to overwrite it", name, in)
		}
	}
	info, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, checkDir(name)
	case errors.Is(err, syscall.ENOTDIR):
		return nil, fmt.Errorf("cannot write %s: %s is not a directory", name, filepath.Dir(name))
	case err != nil:
		return nil, err
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("%s is a symbolic link; name the file itself (a link is never written through)", name)
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is %s, not a regular file; refusing to replace it", name, Kind(info.Mode()))
	case !replace:
		return nil, fmt.Errorf("%s exists; use --force to replace it", name)
	}
	return info, nil
}

// checkDir refuses a new file name whose folder does not exist or is not
// a folder, naming the file asked for.
func checkDir(name string) error {
	dir := filepath.Dir(name)
	info, err := os.Stat(dir)
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("cannot write %s: directory %s does not exist", name, dir)
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", name, err)
	case !info.IsDir():
		return fmt.Errorf("cannot write %s: %s is not a directory", name, dir)
	}
	return nil
}

// Write writes data to name atomically: readers see the old file or the
// new one, never a part. It refuses what Check refuses. The data goes to
// a new temporary file beside name (created exclusively, with mode 0666
// less the umask, or the mode of the file it replaces), is synced, and is
// then published: a new file with a hard link, so that a file someone
// else created meanwhile is never replaced; a replaced one with a rename.
// The temporary file is removed on every path, and by Abort.
func (f *Files) Write(name string, data []byte, replace bool) error {
	return f.WriteFunc(name, replace, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc is Write for output produced as it is written: write streams
// it into the temporary file, so a large output is never held whole in
// memory. The target is checked before write runs; when write fails,
// nothing is published and its error is returned.
func (f *Files) WriteFunc(name string, replace bool, write func(w io.Writer) error) error {
	old, err := f.check(name, replace)
	if err != nil {
		return err
	}
	tmp, err := f.writeTemp(name, write, old)
	if err != nil {
		return err
	}
	defer f.removeTemp(tmp)
	if old != nil {
		err = os.Rename(tmp, name)
	} else {
		err = publishNew(tmp, name)
	}
	if err != nil {
		return err
	}
	syncDir(filepath.Dir(name))
	return nil
}

// writeTemp writes a new temporary file beside name with write and syncs
// it. old, when not nil, is the file being replaced, whose permissions the
// temporary file takes.
func (f *Files) writeTemp(name string, write func(w io.Writer) error, old fs.FileInfo) (string, error) {
	tmp, file, err := f.createTemp(name)
	if err != nil {
		return "", err
	}
	err = func() error {
		if old != nil {
			if err := file.Chmod(old.Mode().Perm()); err != nil {
				return err
			}
		}
		bw := bufio.NewWriterSize(file, 1<<16)
		if err := write(bw); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return file.Sync()
	}()
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		f.removeTemp(tmp)
		return "", err
	}
	return tmp, nil
}

// createTemp creates a new, empty temporary file beside name and records
// it, both under the lock so that Abort never misses a file being created.
func (f *Files) createTemp(name string) (string, *os.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.aborted {
		return "", nil, ErrAborted
	}
	dir, base := filepath.Split(name)
	for range 100 {
		tmp := filepath.Join(dir, "."+base+".tmp-"+randomSuffix())
		file, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			// Name the file asked for, not the temporary one beside it.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			if dirErr := checkDir(name); errors.Is(err, fs.ErrNotExist) && dirErr != nil {
				return "", nil, dirErr
			}
			return "", nil, fmt.Errorf("cannot write %s: %w", name, err)
		}
		if f.temps == nil {
			f.temps = map[string]bool{}
		}
		f.temps[tmp] = true
		return tmp, file, nil
	}
	return "", nil, fmt.Errorf("%s: cannot create a temporary file beside it", name)
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported systems
	return hex.EncodeToString(b[:])
}

// removeTemp removes the temporary file tmp, which may already be gone.
func (f *Files) removeTemp(tmp string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.temps[tmp] {
		_ = os.Remove(tmp)
		delete(f.temps, tmp)
	}
}

// Abort removes every temporary file being written and makes later writes
// fail with ErrAborted: what a command does when it is interrupted, before
// it exits.
func (f *Files) Abort() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.aborted = true
	for tmp := range f.temps {
		_ = os.Remove(tmp)
	}
	clear(f.temps)
}

// publishNew gives the temporary file tmp the name name, which must not
// exist: link(2) fails rather than replace a file that appeared since the
// check. Where the file system has no hard links, it falls back to a
// rename after checking again that name does not exist.
func publishNew(tmp, name string) error {
	err := os.Link(tmp, name)
	if err == nil || errors.Is(err, fs.ErrExist) {
		if err != nil {
			return fmt.Errorf("%s was created by another program while this one wrote it; not replaced", name)
		}
		return nil
	}
	if _, lerr := os.Lstat(name); !errors.Is(lerr, fs.ErrNotExist) {
		return fmt.Errorf("%s was created by another program while this one wrote it; not replaced", name)
	}
	return os.Rename(tmp, name)
}

// syncDir syncs directory dir, so that a new name in it survives a crash;
// a file system that cannot is not an error.
func syncDir(dir string) {
	if dir == "" {
		dir = "."
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Append appends data to name, as a GitHub job summary is written: name
// is created if it does not exist; an existing name must be a regular
// file, not a symbolic link, and not an input. The data is written with
// one write.
func (f *Files) Append(name string, data []byte) error {
	if _, err := f.check(name, true); err != nil {
		return err
	}
	before, err := os.Lstat(name)
	flags := os.O_WRONLY | os.O_APPEND | openNonblock
	if errors.Is(err, fs.ErrNotExist) {
		flags |= os.O_CREATE | os.O_EXCL
	} else if err != nil {
		return err
	}
	file, err := os.OpenFile(name, flags, 0o666)
	if err != nil {
		return err
	}
	defer file.Close()
	// What was opened must be what was checked: a name swapped for a link
	// or a pipe in between is refused.
	opened, err := file.Stat()
	if err != nil {
		return err
	}
	if !opened.Mode().IsRegular() || before != nil && !os.SameFile(before, opened) {
		return fmt.Errorf("%s changed while being opened; not appending", name)
	}
	if _, err := file.Write(data); err != nil {
		return err
	}
	return file.Close()
}
