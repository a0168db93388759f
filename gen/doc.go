// Package gen makes synthetic stories of any size, for benchmarks, load
// and crash tests, and the projection tests: many organisations and people,
// board and role changes, claims and their resolutions, petitions, stakes,
// statements and reports, late reports and corrections. It is the one
// generator of the project; tests do not keep their own.
//
// Rules:
//   - The same Config (seed included) always gives the same events.
//   - Every event is valid (events.Validate) and survives its own encoding,
//     so what `story gen` writes, `story import` reads.
//   - Occurred times strictly increase from one generated event to the
//     next; only a correction shares its target's occurred time, and it
//     differs in reported time. So no two unrelated events tie in fold
//     order, and a test comparing fold orders compares what matters.
//   - Config.Rough adds what a fold must survive but a tidy story lacks:
//     departures and role ends that do not fit, changes of seat, shared
//     roles, renames, resolutions of unknown or non-claim events,
//     scheduled events, day precision, corrections of any type (some
//     corrected again) and corrections of ids never stored. Plain stories
//     are believable (nothing is quarantined); rough ones are for tests.
//
// gen imports no NATS: it is part of the fold side (see events/deps_test.go).
package gen
