#!/bin/sh
# check-imports.sh enforces the one-way data flow of the house style:
# a package imports only the stages to its left, plus topology/diag.
# sim is the engine; sim/diff reads it (and the events it replays) only
# through their exported API, and neither is imported by the engine.
set -eu
mod=$(go list -m)
fail=0
check() { # package, forbidden import patterns...
	pkg=$1; shift
	if ! imports=$(go list -f '{{join .Imports "\n"}}' "$pkg"); then
		echo "import arrows: cannot list $pkg"
		fail=1
		return
	fi
	for bad in "$@"; do
		hit=$(printf '%s\n' "$imports" | grep -E "^$bad(/|\$)" || true)
		if [ -n "$hit" ]; then
			echo "import arrow broken: $pkg imports $hit"
			fail=1
		fi
	done
}
check "$mod/topology/diag" "$mod" gopkg.in gonum.org github.com go4.org golang.org
check "$mod/internal/buildinfo" "$mod" gopkg.in gonum.org github.com go4.org golang.org
check "$mod/internal/fileio" "$mod" gopkg.in gonum.org github.com go4.org golang.org
# gvcache must be initialised before go-graphviz: standard library only.
check "$mod/internal/gvcache" "$mod" gopkg.in gonum.org github.com go4.org golang.org
check "$mod/topology" "$mod/sim" "$mod/scenarios" "$mod/reports" "$mod/cmd" gonum.org/v1/gonum github.com/goccy/go-graphviz github.com/urfave/cli
# The importers build a model from exports: they may use topology and
# topology/diag, and nothing else of the module or outside the standard library.
check "$mod/topology/importer" "$mod/sim" "$mod/scenarios" "$mod/reports" "$mod/cmd" "$mod/internal" gopkg.in gonum.org go4.org golang.org github.com/goccy github.com/urfave
check "$mod/sim" gopkg.in/yaml.v3 "$mod/sim/event" "$mod/sim/diff" "$mod/scenarios" "$mod/reports" "$mod/cmd" "$mod/internal" github.com/goccy/go-graphviz github.com/urfave/cli
# Events validate with topology.Validate alone: they need no engine.
check "$mod/sim/event" gopkg.in/yaml.v3 "$mod/sim" "$mod/scenarios" "$mod/reports" "$mod/cmd" "$mod/internal" github.com/goccy/go-graphviz github.com/urfave/cli
check "$mod/sim/diff" gopkg.in/yaml.v3 "$mod/scenarios" "$mod/reports" "$mod/cmd" "$mod/internal" github.com/goccy/go-graphviz github.com/urfave/cli
# simtest is the tests' shared helper: the model and nothing downstream.
check "$mod/internal/simtest" "$mod/sim" "$mod/scenarios" "$mod/reports" "$mod/cmd" gopkg.in gonum.org github.com/goccy github.com/urfave
check "$mod/scenarios" "$mod/reports" "$mod/cmd" github.com/goccy/go-graphviz github.com/urfave/cli
check "$mod/reports" "$mod/cmd" github.com/urfave/cli gopkg.in/yaml.v3
exit $fail
