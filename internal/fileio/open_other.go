//go:build !unix

package fileio

// openNonblock is 0 where named pipes cannot be opened as files.
const openNonblock = 0
