package projections

import "storyline/events"

// Synthetic exports the test generator to the external tests.
func Synthetic(n int, seed uint64) []events.Event { return synth(synthConfig{Events: n, Seed: seed}) }
