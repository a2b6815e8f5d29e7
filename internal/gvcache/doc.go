// Package gvcache gives go-graphviz a compilation cache that only the user
// can write.
//
// go-graphviz (v0.2.10) compiles its WebAssembly build of graphviz to
// machine code when its package is initialised, in every program that
// links it, and caches that code in os.TempDir()/go-graphviz: it creates
// the directory with mode 0755 when missing and uses it whoever owns it.
// On a machine shared with other users (a CI runner), /tmp/go-graphviz may
// have been created by someone else, who can then put machine code in the
// cache that vnetsim loads and runs.
//
// Importing this package for its side effect, before go-graphviz, points
// TMPDIR at a private directory while go-graphviz initialises: Go
// initialises packages in import-path order among those whose imports are
// ready, and this package imports only the standard library, so it runs
// first (cmd/vnetsim's TestGraphvizCache checks that in the built
// program). The directory is $XDG_CACHE_HOME/vnetsim (or ~/.cache/vnetsim),
// else $TMPDIR/vnetsim-UID; it is created with mode 0700 and used only if it
// is a directory, not a link, owned by the user, with no access for group
// or others, in a parent others cannot write. When there is none, TMPDIR
// points where no directory can be made, and go-graphviz compiles without
// a cache. Restore puts TMPDIR back once go-graphviz has initialised.
//
// Where os.TempDir is already private to the user (Windows), the package
// does nothing.
package gvcache
