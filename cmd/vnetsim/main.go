// Command vnetsim simulates and validates virtual network peering designs
// (Windows Server SDN Network Controller and Azure) offline, from a YAML
// topology. See the README for a tour and `vnetsim --help` for commands.
//
// Exit codes: 0 success; 1 the inputs were analysed and something failed
// (a validation error, a failed expectation, a forbidden change); 2 the
// command could not run (bad flags, an unreadable file, an unknown endpoint).
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}
