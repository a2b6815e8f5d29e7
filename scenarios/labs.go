package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// labFS holds the built-in labs, one folder per lab: scenario.yaml,
// topology.yaml and optionally README.md.
//
//go:embed labs
var labFS embed.FS

// Lab is a built-in training lab.
type Lab struct {
	Name        string // the name commands take, e.g. "peering-basics"
	Title       string // the scenario's name
	Description string // what the learner will do
}

// Labs returns the built-in labs ordered by name. A lab whose scenario does
// not parse is left out; a test keeps every shipped lab parsing.
func Labs() []Lab {
	var out []Lab
	for _, name := range labNames() {
		sc, err := LoadLab(name)
		if err != nil {
			continue
		}
		out = append(out, Lab{Name: name, Title: sc.Name, Description: sc.Description})
	}
	return out
}

func labNames() []string {
	entries, err := fs.ReadDir(labFS, "labs")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// ErrUnknownLab is returned, wrapped, for a lab name that is not built in.
var ErrUnknownLab = errors.New("unknown lab")

func checkLabName(name string) error {
	if !slices.Contains(labNames(), name) {
		return fmt.Errorf("%w %q (labs: %s)", ErrUnknownLab, name, strings.Join(labNames(), ", "))
	}
	return nil
}

// LoadLab parses a built-in lab. Its Filename is "lab:NAME".
func LoadLab(name string) (*Scenario, error) {
	if err := checkLabName(name); err != nil {
		return nil, err
	}
	sc, ds := ParseFS(labFS, path.Join("labs", name, "scenario.yaml"))
	if sc == nil {
		return nil, fmt.Errorf("lab %s: %w", name, ds.Err())
	}
	sc.Filename = "lab:" + name
	return sc, nil
}

// ExportLab writes the files of lab name into dir, creating dir if needed,
// and returns the paths written, in name order. An existing file is an
// error unless force is set; then it is replaced. Each file is written to a
// temporary file in dir and renamed into place, so a reader never sees a
// half-written file. Nothing is written outside dir.
func ExportLab(name, dir string, force bool) ([]string, error) {
	if err := checkLabName(name); err != nil {
		return nil, err
	}
	src := path.Join("labs", name)
	entries, err := fs.ReadDir(labFS, src)
	if err != nil {
		return nil, fmt.Errorf("export lab %s: %w", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("export lab %s: %w", name, err)
	}
	// Check every target before writing any, so that a refusal leaves dir
	// as it was.
	var files []string
	for _, e := range entries {
		if e.IsDir() || !filepath.IsLocal(e.Name()) {
			continue
		}
		target := filepath.Join(dir, e.Name())
		if _, err := os.Lstat(target); err == nil && !force {
			return nil, fmt.Errorf("export lab %s: %s already exists (use --force to overwrite)", name, target)
		}
		files = append(files, e.Name())
	}
	var written []string
	for _, f := range files {
		data, err := fs.ReadFile(labFS, path.Join(src, f))
		if err != nil {
			return written, fmt.Errorf("export lab %s: %w", name, err)
		}
		target := filepath.Join(dir, f)
		if err := writeAtomic(target, data); err != nil {
			return written, fmt.Errorf("export lab %s: %w", name, err)
		}
		written = append(written, target)
	}
	return written, nil
}

// writeAtomic writes data to a temporary file beside target and renames it
// over target.
func writeAtomic(target string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}
