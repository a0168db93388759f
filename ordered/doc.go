// Package ordered runs work on every core and hands the results back in
// the order their inputs came: how the projector decodes records, and a
// snapshot's chunks, in parallel while the fold takes them one by one in
// stream order (the order is the contract).
//
// Rules: the inputs are batches (a few hundred records, a chunk), not
// single records, so the channel work stays small beside the work done;
// at most twice as many inputs as workers are in flight, so a slow
// consumer holds back the producer rather than let memory grow. It
// imports nothing of Storyline's.
package ordered
