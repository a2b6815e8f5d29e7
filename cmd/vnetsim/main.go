// Command vnetsim simulates and validates virtual network peering designs
// (Windows Server SDN Network Controller and Azure) offline, from a YAML
// topology. See the README for a tour and `vnetsim --help` for commands.
//
// Exit codes: 0 success; 1 the inputs were analysed and something failed
// (a validation error, a failed expectation, a forbidden change); 2 the
// command could not run (bad flags, an unreadable file, an unknown endpoint).
// Interrupted by SIGINT or SIGTERM, it removes the temporary file of an
// output it was writing and dies of the signal (the shell reports 130 or
// 143).
package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/vnetsim/vnetsim/internal/fileio"
)

func main() {
	var files fileio.Files
	stop := interruptible(&files)
	code := run(os.Args, os.Stdin, os.Stdout, os.Stderr, &files)
	stop()
	os.Exit(code)
}

// interruptible makes SIGINT and SIGTERM remove the temporary files being
// written (files.Abort) before the process dies of the signal, as it would
// have without a handler, so that the shell sees an interrupted command. A
// signal the process was started with ignored stays ignored. stop ends the
// handling.
func interruptible(files *fileio.Files) (stop func()) {
	sigs := make(chan os.Signal, 1)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		if !signal.Ignored(sig) {
			signal.Notify(sigs, sig)
		}
	}
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			files.Abort()
			die(sig)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}

// die ends the process with sig: it restores the signal's default action
// and sends it to itself; where that does not end the process, it exits
// with 128 plus the signal's number, as a shell reports a killed command.
func die(sig os.Signal) {
	signal.Reset(sig)
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		_ = p.Signal(sig)
	}
	code := exitCannotRun
	if s, ok := sig.(syscall.Signal); ok {
		code = 128 + int(s)
	}
	os.Exit(code)
}
