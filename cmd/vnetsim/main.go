// Command vnetsim simulates and validates virtual network peering designs
// offline. See the README for a tour.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "vnetsim: not wired yet")
	os.Exit(2)
}
