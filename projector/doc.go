// Package projector is the one path from the stream to the views: records
// read in stream order, decoded on every core, screened and folded into a
// query.Engine in stream order (the order is the contract), with a hook
// for what each consumer does per batch. Every reader of the views uses
// it: a command's in-process views (Build), story serve (CatchUp, Follow,
// its own fold around Apply for the feed and the KV bucket), story watch
// (Read, each record through a query.Watch) and story bench, which so
// measures the product's path, screen included.
package projector
