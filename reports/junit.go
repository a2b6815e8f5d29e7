package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vnetsim/vnetsim/scenarios"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// The Jenkins/Ant JUnit XML format that GitLab, Jenkins and GitHub test
// reporters read; testdata/junit.xsd describes it.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Errors   int         `xml:"errors,attr"`
		Skipped  int         `xml:"skipped,attr"`
		Time     string      `xml:"time,attr"`
		Cases    []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
		SystemOut *junitText    `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",cdata"`
	}
	junitText struct {
		Text string `xml:",cdata"`
	}
)

// seconds formats a duration the way JUnit readers expect: seconds with
// millisecond precision.
func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func (s *junitSuite) add(c junitCase) {
	s.Cases = append(s.Cases, c)
	s.Tests++
	if c.Failure != nil {
		s.Failures++
	}
}

func writeJUnit(w io.Writer, name string, suites []junitSuite, total time.Duration) error {
	doc := junitSuites{Name: name, Time: seconds(total), Suites: suites}
	doc.escape()
	for _, s := range suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// escape makes every text of the document printable: XML 1.0 cannot hold
// most control characters at all, and a CI log shows the rest.
func (doc *junitSuites) escape() {
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Name = printable(s.Name)
		for j := range s.Cases {
			c := &s.Cases[j]
			c.Name, c.Classname = printable(c.Name), printable(c.Classname)
			if c.Failure != nil {
				c.Failure.Message, c.Failure.Text = printable(c.Failure.Message), printable(c.Failure.Text)
			}
			if c.SystemOut != nil {
				c.SystemOut.Text = printable(c.SystemOut.Text)
			}
		}
	}
}

// ValidateJUnit writes one suite per file and one case per diagnostic; a
// file without diagnostics gets one passing case. Errors fail their case;
// warnings fail only with opt.Strict and otherwise pass with the warning
// in system-out.
func ValidateJUnit(w io.Writer, files []File, opt Options) error {
	suites := make([]junitSuite, 0, len(files))
	for _, f := range files {
		s := junitSuite{Name: f.Path, Time: seconds(0)}
		if len(f.Diagnostics) == 0 {
			s.add(junitCase{Name: "valid", Classname: f.Path, Time: seconds(0)})
		}
		for _, d := range f.Diagnostics {
			c := junitCase{
				Name:      fmt.Sprintf("%s at %s", d.Code, location(f, d.Subject)),
				Classname: f.Path, Time: seconds(0),
			}
			text := location(f, d.Subject) + ": " + d.Message()
			for _, r := range d.Related {
				text += "\n" + location(f, r.Subject) + ": note: " + r.Message
			}
			if d.Severity == diag.Error || opt.Strict {
				c.Failure = &junitFailure{Message: d.Summary, Type: string(d.Code), Text: text}
			} else {
				c.SystemOut = &junitText{"warning: " + text}
			}
			s.add(c)
		}
		suites = append(suites, s)
	}
	return writeJUnit(w, "vnetsim validate", suites, 0)
}

// RunJUnit writes one suite per scenario and one case per check; a step
// whose events failed gets a case of its own, and so does a step with no
// checks. Scenario diagnostics become a failed "load" case.
func RunJUnit(w io.Writer, res *scenarios.Result) error {
	if res == nil {
		return errNothing("run result")
	}
	var total time.Duration
	suites := make([]junitSuite, 0, len(res.Scenarios))
	for _, sc := range res.Scenarios {
		total += sc.Duration
		s := junitSuite{Name: sc.Name, Time: seconds(sc.Duration)}
		if sc.Diagnostics.HasErrors() {
			var lines []string
			for _, d := range sc.Diagnostics {
				lines = append(lines, fmt.Sprintf("%s: %s[%s]: %s", location(File{Path: sc.Path}, d.Subject), d.Severity, d.Code, d.Message()))
			}
			s.add(junitCase{Name: "load", Classname: sc.Path, Time: seconds(0),
				Failure: &junitFailure{Message: "the scenario could not be loaded", Type: "load", Text: strings.Join(lines, "\n")}})
		}
		for i, st := range sc.Steps {
			prefix := fmt.Sprintf("step %d: %s", i+1, st.Name)
			// An unexpected refusal is a test case of its own, failed, as
			// it is a failed point of the scenario's score.
			eventsFailed := st.UnexpectedRefusal()
			if eventsFailed || len(st.Checks) == 0 {
				c := junitCase{Name: prefix, Classname: sc.Name, Time: seconds(st.Duration)}
				if eventsFailed {
					c.Failure = &junitFailure{Message: stepFailure(st), Type: "event", Text: stepFailure(st)}
				}
				s.add(c)
			}
			for j, ch := range st.Checks {
				c := junitCase{Name: fmt.Sprintf("%s / %s #%d", prefix, ch.Kind, j+1), Classname: sc.Name, Time: seconds(0)}
				if !ch.Passed {
					text := fmt.Sprintf("%s:%d\nexpected %s\nactual   %s\n%s", sc.Path, ch.Line,
						fieldsText(ch.Expected), fieldsText(ch.Actual), checkMessage(ch))
					if ch.Trace != nil {
						var b strings.Builder
						ew := &errWriter{w: &b}
						writeTraceText(ew, styles(false), ch.Trace, "")
						text += "\n" + b.String()
					}
					c.Failure = &junitFailure{Message: checkMessage(ch), Type: string(diag.FailedExpectation), Text: text}
				}
				s.add(c)
			}
		}
		suites = append(suites, s)
	}
	return writeJUnit(w, "vnetsim run", suites, total)
}
