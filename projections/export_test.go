package projections

import (
	"storyline/events"
	"storyline/gen"
)

// Synthetic is the rough generated story the projection tests fold: 20
// orgs and 500 people, so each org has many events.
func Synthetic(n int, seed uint64) []events.Event {
	return gen.Generate(gen.Config{Events: n, Seed: seed, Orgs: 20, People: 500, Rough: true})
}
