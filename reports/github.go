package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/vnetsim/vnetsim/topology/diag"
)

// GitHub workflow command escaping, as the Actions toolkit does it
// (toolkit/packages/core/src/command.ts): data escapes %, \r and \n;
// property values also escape : and ,.
var (
	ghData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// annotation writes one workflow command: ::error file=F,line=L,col=C,title=T::message.
func annotation(ew *errWriter, level, file string, line, col int, title, msg string) {
	props := []string{"file=" + ghProperty.Replace(printable(file))}
	if line > 0 {
		props = append(props, fmt.Sprintf("line=%d", line))
		if col > 0 {
			props = append(props, fmt.Sprintf("col=%d", col))
		}
	}
	props = append(props, "title="+ghProperty.Replace(title))
	ew.printf("::%s %s::%s\n", level, strings.Join(props, ","), ghData.Replace(printable(msg)))
}

// ValidateGitHub writes diagnostics as GitHub Actions annotations, one
// workflow command per diagnostic; related locations follow in the message.
func ValidateGitHub(w io.Writer, files []File) error {
	ew := &errWriter{w: w}
	for _, f := range files {
		for _, d := range f.Diagnostics {
			level := "warning"
			if d.Severity == diag.Error {
				level = "error"
			}
			msg := d.Message()
			for _, r := range d.Related {
				msg += "\n" + location(f, r.Subject) + ": " + r.Message
			}
			annotation(ew, level, fileOf(d.Subject, f.Path), d.Subject.Start.Line, d.Subject.Start.Column, string(d.Code), msg)
		}
	}
	return ew.err
}

// ValidateMarkdown writes a job summary: a table of files with their
// counts, then every diagnostic with a link to its code's explanation.
func ValidateMarkdown(w io.Writer, files []File) error {
	ew := &errWriter{w: w}
	t := CountFiles(files)
	ew.printf("## vnetsim validate: %s in %s\n\n", t, Plural(len(files), "file"))
	ew.print("| file | errors | warnings |\n|---|---:|---:|\n")
	for _, f := range files {
		ew.printf("| %s | %d | %d |\n", mdCell(f.Path), f.Diagnostics.Errors(), f.Diagnostics.Warnings())
	}
	if t.Errors+t.Warnings == 0 {
		return ew.err
	}
	ew.print("\n| location | severity | code | message |\n|---|---|---|---|\n")
	for _, f := range files {
		for _, d := range f.Diagnostics {
			ew.printf("| %s | %s | [`%s`](%s) | %s |\n", mdCell(location(f, d.Subject)), d.Severity,
				d.Code, Help(d.Code).URI(), mdText(d.Message()))
		}
	}
	return ew.err
}
