package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
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

// LabFile is one file of a built-in lab.
type LabFile struct {
	Name string // the file's name, a local path such as "scenario.yaml"
	Data []byte
}

// LabFiles returns the files of lab name, in name order, for a learner to
// edit and run: scenario.yaml, the topology it names and any README.
func LabFiles(name string) ([]LabFile, error) {
	if err := checkLabName(name); err != nil {
		return nil, err
	}
	src := path.Join("labs", name)
	entries, err := fs.ReadDir(labFS, src)
	if err != nil {
		return nil, fmt.Errorf("lab %s: %w", name, err)
	}
	var files []LabFile
	for _, e := range entries {
		if e.IsDir() || !filepath.IsLocal(e.Name()) {
			continue
		}
		data, err := fs.ReadFile(labFS, path.Join(src, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("lab %s: %w", name, err)
		}
		files = append(files, LabFile{Name: e.Name(), Data: data})
	}
	return files, nil
}
