package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vnetsim/vnetsim/internal/buildinfo"
)

// Options tune the text renderers. The zero value is plain, uncoloured
// output, what files and pipes get.
type Options struct {
	// Color adds ANSI colours. The command decides: only for a terminal,
	// and never when NO_COLOR is set.
	Color bool
	// Strict makes warnings count as failures (validate --strict) in the
	// formats that mark failures (JUnit, GitHub annotations' level stays).
	Strict bool
}

// errWriter remembers the first write error, so that renderers can print
// freely and report once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}

func (e *errWriter) print(s string) {
	if e.err != nil {
		return
	}
	_, e.err = io.WriteString(e.w, s)
}

// WriteJSON writes v as the JSON of every vnetsim output: indented two
// spaces, with a final newline and without escaping <, > and & (nobody
// embeds this JSON in HTML).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// WriteDocument writes v, a JSON object, as a top-level vnetsim output:
// WriteJSON's layout with a first field "version", the vnetsim that wrote
// it (buildinfo.Version), so that a stored report says what produced it.
// Nested documents (a trace's reply, a run's traces) carry no version.
func WriteDocument(w io.Writer, v any) error {
	version, err := json.Marshal(buildinfo.Version())
	if err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return WriteJSON(&versionWriter{w: w, head: []byte("{\n  \"version\": " + string(version) + ",\n")}, v)
}

// versionWriter inserts head in place of the opening "{\n" of the one
// object a json.Encoder writes (an Encoder writes each value in one Write).
type versionWriter struct {
	w    io.Writer
	head []byte
	done bool
}

func (vw *versionWriter) Write(b []byte) (int, error) {
	if vw.done {
		return vw.w.Write(b)
	}
	vw.done = true
	rest, ok := bytes.CutPrefix(b, []byte("{\n"))
	if !ok {
		return 0, errors.New("a vnetsim JSON output is a non-empty object")
	}
	if _, err := vw.w.Write(vw.head); err != nil {
		return 0, err
	}
	n, err := vw.w.Write(rest)
	return n + len(b) - len(rest), err
}

// jsonStream writes one JSON document piece by piece, laid out byte for
// byte as WriteJSON lays out the whole value, so that a document of
// millions of items goes to its writer without being held: containers are
// opened and closed as the document goes, and any value in between is
// encoded whole at its depth.
type jsonStream struct {
	w     *bufio.Writer
	enc   *json.Encoder
	buf   bytes.Buffer
	items []int // entries written in each open container
	err   error
}

func newJSONStream(w io.Writer) *jsonStream {
	s := &jsonStream{w: bufio.NewWriter(w)}
	s.enc = json.NewEncoder(&s.buf)
	s.enc.SetEscapeHTML(false)
	return s
}

func (s *jsonStream) write(text string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(text)
	}
}

// encode returns v as WriteJSON would write it at the current depth,
// without the final newline.
func (s *jsonStream) encode(v any) string {
	s.buf.Reset()
	s.enc.SetIndent(strings.Repeat("  ", len(s.items)), "  ")
	if err := s.enc.Encode(v); err != nil && s.err == nil {
		s.err = fmt.Errorf("write json: %w", err)
	}
	return strings.TrimSuffix(s.buf.String(), "\n")
}

// entry starts the next entry of the innermost container on its own line.
func (s *jsonStream) entry() {
	if len(s.items) == 0 {
		return
	}
	if s.items[len(s.items)-1]++; s.items[len(s.items)-1] > 1 {
		s.write(",")
	}
	s.write("\n" + strings.Repeat("  ", len(s.items)))
}

// key starts an object member; its value follows.
func (s *jsonStream) key(k string) {
	s.entry()
	s.write(s.encode(k) + ": ")
	s.items[len(s.items)-1] = -s.items[len(s.items)-1] // the value is not an entry
}

// start places a value: after its key, or as the next item.
func (s *jsonStream) start() {
	if n := len(s.items); n > 0 && s.items[n-1] < 0 {
		s.items[n-1] = -s.items[n-1]
		return
	}
	s.entry()
}

// value writes v whole.
func (s *jsonStream) value(v any) {
	s.start()
	s.write(s.encode(v))
}

// member writes an object member whose value is written whole.
func (s *jsonStream) member(k string, v any) {
	s.key(k)
	s.value(v)
}

// open starts an object ('{') or an array ('[') written entry by entry.
func (s *jsonStream) open(bracket string) {
	s.start()
	s.write(bracket)
	s.items = append(s.items, 0)
}

// close ends the innermost container with bracket ('}' or ']').
func (s *jsonStream) close(bracket string) {
	n := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	if n > 0 {
		s.write("\n" + strings.Repeat("  ", len(s.items)))
	}
	s.write(bracket)
}

// finish ends the document and flushes it.
func (s *jsonStream) finish() error {
	s.write("\n")
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

// style holds the text decorations; every func is the identity when colour
// is off.
type style struct {
	bold, dim, err, warning, note, help, caret, ok, fail func(string) string
}

func styles(color bool) style {
	if !color {
		id := func(s string) string { return s }
		return style{id, id, id, id, id, id, id, id, id}
	}
	sgr := func(code string) func(string) string {
		return func(s string) string { return "\x1b[" + code + "m" + s + "\x1b[0m" }
	}
	return style{
		bold: sgr("1"), dim: sgr("2"), err: sgr("1;31"), warning: sgr("1;33"),
		note: sgr("1;36"), help: sgr("1;32"), caret: sgr("1;31"), ok: sgr("32"), fail: sgr("1;31"),
	}
}

// errNothing is the error of a renderer given nil instead of a value: a
// caller's bug, reported rather than a panic.
func errNothing(what string) error { return fmt.Errorf("reports: no %s to render", what) }
