package sim

import (
	"fmt"

	"github.com/vnetsim/vnetsim/topology"
)

// Level is the granularity of a reachability question.
type Level uint8

const (
	LevelVNet   Level = iota // pairs of VNets; the contract's default
	LevelSubnet              // pairs of subnets
)

var levelNames = [...]string{"vnet", "subnet"}

// String returns "vnet" or "subnet".
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// ParseLevel parses "vnet" or "subnet".
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if n == s {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("%q is not a reach level (want vnet or subnet)", s)
}

// Outcome is how much of a pair's header space is delivered.
type Outcome uint8

const (
	OutcomeUnknown Outcome = iota // not computed
	OutcomeAll                    // every packet is delivered
	OutcomeSome                   // some packets are delivered, others dropped
	OutcomeNone                   // no packet is delivered
)

var outcomeNames = [...]string{"unknown", "all", "some", "none"}

// String returns the contract spelling: all, some or none.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// ParseOutcome parses "all", "some" or "none".
func ParseOutcome(s string) (Outcome, error) {
	for i, n := range outcomeNames {
		if i > 0 && n == s {
			return Outcome(i), nil
		}
	}
	return 0, fmt.Errorf("%q is not a reach result (want all, some or none)", s)
}

// ReachOptions is a reachability question.
type ReachOptions struct {
	Level Level
	// Protocol is the header space's protocol; ProtocolAll covers TCP, UDP
	// and ICMP packets alike.
	Protocol topology.Protocol
	// Ports are the destination ports of TCP and UDP packets; nil means
	// every port, MinPort to MaxPort, and port 0, which no packet is sent
	// to, is left out of any range. ICMP has no ports.
	Ports []topology.PortRange
	// From and To restrict the pairs to these VNets or VNET/SUBNET names;
	// nil means every VNet or subnet at Level.
	From, To []string
	// Summary asks for counts and at most MaxExamples non-all pairs
	// instead of every pair.
	Summary bool
	// MaxExamples caps Examples when Summary is set; 0 means 100.
	MaxExamples int
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// NoExplanations leaves ReachPair.Explanation empty, saving one full
	// walk per pair that is not all; trace a pair's Example to explain it.
	NoExplanations bool
	// MaxPairs, when positive, bounds the pairs a listing (Summary unset)
	// holds: a question with more pairs is answered as a summary and
	// Reach.Summarised is set. Zero means no bound; at 10,000 VNets the
	// subnet pairs number 1.6 billion, so a caller that cannot know the
	// estate's size should set it.
	MaxPairs int
	// Progress, when set, is told how many of the total source units have
	// been answered, now and then while Reach works and once at the end.
	// Calls never overlap, so it needs no lock of its own; it should return
	// quickly.
	Progress func(done, total int)
}

// ReachPair is the answer for one ordered pair.
type ReachPair struct {
	From, To string // VNet or VNET/SUBNET names
	Result   Outcome
	// Reason and Explanation are an example packet's, for some and none;
	// Example is its flow: the first dropped class, else the first that
	// left through the Internet, whose Reason is "". A pair without
	// classes (a VNet without subnets) has no example.
	Reason      Reason
	Explanation string
	Example     *Flow
	// Classes and DeliveredClasses count the header-space equivalence
	// classes examined and those delivered.
	Classes, DeliveredClasses int
}

// ReachCounts counts pairs per outcome.
type ReachCounts struct {
	All, Some, None int
}

// Reach is the answer to a reachability question (docs/reference/json.md): every
// pair, or with Summary only the counts and examples. Pairs are sorted by
// (From, To).
type Reach struct {
	Level    Level
	Pairs    []ReachPair // nil with Summary
	Counts   ReachCounts
	Examples []ReachPair // the first non-all pairs in (From, To) order, capped
	// Summarised reports that a listing was answered as a summary because
	// it had more pairs than ReachOptions.MaxPairs.
	Summarised bool
}
