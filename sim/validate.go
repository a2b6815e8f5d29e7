package sim

import (
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// ValidateOptions says what Engine.Validate reports with the model's
// checks.
type ValidateOptions struct {
	// Loaded holds the diagnostics reported while loading the network
	// (topology.Load, importer.Load), or only those of them about the
	// file's own text (topology.FileDiagnostics). They are returned with
	// the others, each once: what the model's checks find again is not
	// repeated.
	Loaded diag.Diagnostics
	// Checked reports that Loaded comes from topology.Check or
	// importer.Check, which ran the model's checks as they loaded the
	// file: Validate then does not run them again.
	Checked bool
	// NoLints leaves out the engine's lints. They are warnings only and
	// cost a walk of every appliance route, so a caller that looks only at
	// errors need not pay for them.
	NoLints bool
}

// Validate returns every diagnostic for the engine's network: opts.Loaded,
// then topology.Validate's model checks unless opts.Checked says Loaded
// holds them, then, unless opts.NoLints, the engine's lints (Lint), which
// reuse the engine's indexes. It is the one
// place that says what validating a network reports; commands and
// scenarios alike ask it. Diagnostics carry Paths: those not located yet
// are located with SourceMap.LocateAll.
func (e *Engine) Validate(opts ValidateOptions) diag.Diagnostics {
	ds := slices.Clip(opts.Loaded)
	if !opts.Checked {
		model := topology.Validate(e.net)
		ds = append(opts.Loaded.Without(model), model...)
	}
	if !opts.NoLints {
		ds = append(ds, e.Lint()...)
	}
	return ds
}

// Validate returns every diagnostic the model and the engine find in n,
// which may be nil: Engine.Validate with no loaded diagnostics.
func Validate(n *topology.Network) diag.Diagnostics {
	if n == nil {
		return nil
	}
	return New(n).Validate(ValidateOptions{})
}
