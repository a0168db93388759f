package archive

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Shared reports whether the archive lives on a server or cluster of
// one's own (Config.NATSURL), which serves on other machines may read
// too — rather than on the embedded server, or on the one a running serve
// recorded in this data dir.
func (a *Archive) Shared() bool { return a.ns == nil && a.cfg.NATSURL != "" && a.cfg.ServerID == "" }

// ObjectStore returns the Object Store bucket of that name next to the
// stream. With create, a missing bucket is created with as many replicas
// as the stream has; without, it is jetstream.ErrBucketNotFound.
func (a *Archive) ObjectStore(ctx context.Context, bucket, description string, create bool) (jetstream.ObjectStore, error) {
	rctx, cancel := a.request(ctx)
	defer cancel()
	obs, err := a.js.ObjectStore(rctx, bucket)
	if create && errors.Is(err, jetstream.ErrBucketNotFound) {
		replicas := a.cfg.Replicas
		if info := a.stream.CachedInfo(); info != nil && info.Config.Replicas > 0 {
			replicas = info.Config.Replicas
		}
		obs, err = a.js.CreateOrUpdateObjectStore(rctx, jetstream.ObjectStoreConfig{
			Bucket: bucket, Description: description, Storage: jetstream.FileStorage, Replicas: replicas,
		})
	}
	if err != nil {
		return nil, fmt.Errorf("object store %s: %w", bucket, a.refused(err))
	}
	return obs, nil
}
