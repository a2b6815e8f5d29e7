// Package reports is stage four: it renders result values (diagnostics,
// traces, routes, reachability, scenario results, diffs, topology diagrams)
// as bytes on an io.Writer, in text, JSON, SARIF, GitHub annotations, JUnit,
// Markdown, HTML, DOT, SVG and PNG. It makes no network decisions.
package reports
