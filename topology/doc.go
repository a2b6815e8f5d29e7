// Package topology is stage one: it reads a topology file (bytes and a file
// name) into a resolved *Network, a *SourceMap that turns model paths into
// file positions, and diag.Diagnostics for every problem that can be found
// from the model alone. It also generates synthetic estates.
//
// The loader keeps two layers: the as-written layer holds yaml.Node values so
// that every value keeps its line and column; the resolved layer holds
// netip values and pointers, and no string in it holds an address.
package topology
