//go:build unix

package gvcache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// noCache is a TMPDIR under which no directory can exist or be created
// (/dev/null is not a directory), so go-graphviz finds no cache.
const noCache = "/dev/null/vnetsim-no-cache"

// saved is TMPDIR as the process started, for Restore. init writes it
// once, before main; nothing else does.
var saved struct {
	value string
	set   bool
}

func init() {
	saved.value, saved.set = os.LookupEnv("TMPDIR")
	dir := cacheDir()
	if dir == "" {
		dir = noCache
	}
	_ = os.Setenv("TMPDIR", dir)
}

// Restore sets TMPDIR back to its value when the process started.
func Restore() {
	if saved.set {
		_ = os.Setenv("TMPDIR", saved.value)
	} else {
		_ = os.Unsetenv("TMPDIR")
	}
}

// cacheDir returns the private directory go-graphviz's cache goes in, creating
// it if needed, or "" when there is none that only the user can write.
func cacheDir() string {
	var candidates []string
	if base, err := os.UserCacheDir(); err == nil {
		candidates = append(candidates, filepath.Join(base, "vnetsim"))
	}
	candidates = append(candidates, filepath.Join(os.TempDir(), "vnetsim-"+strconv.Itoa(os.Geteuid())))
	for _, dir := range candidates {
		if err := private(dir); err == nil {
			return dir
		}
	}
	return ""
}

// private makes dir if it does not exist and returns nil when it is a
// directory, not a link, owned by the user and closed to group and others,
// inside a parent that only the user or root can change.
func private(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	info, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	uid := os.Geteuid()
	if !info.IsDir() || owner(info) != uid {
		return fmt.Errorf("%s is not a directory of user %d", dir, uid)
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
	}
	parent, err := os.Stat(filepath.Dir(dir))
	if err != nil {
		return err
	}
	if o := owner(parent); o != uid && o != 0 ||
		parent.Mode().Perm()&0o022 != 0 && parent.Mode()&fs.ModeSticky == 0 {
		return fmt.Errorf("others can change %s", filepath.Dir(dir))
	}
	return nil
}

// owner returns the user id owning the file info describes, or -1.
func owner(info fs.FileInfo) int {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}
