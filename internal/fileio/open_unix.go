//go:build unix

package fileio

import "syscall"

// openNonblock keeps an open of a named pipe from waiting for the other end.
const openNonblock = syscall.O_NONBLOCK
