package seed

import (
	"context"

	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/pii"
)

// IntoJetStream runs cfg into a JetStream event store that nothing else
// writes to while it runs (a stopped accreditd's data directory, or a new
// one), many commits in flight at once: the commits through natsstore's
// BulkWriter, the people's data keys, wrapped with masterKey (the one
// accreditd will use), through its BulkKeys. cfg.Vault is set here. It
// returns the summary and the store's position after the last commit.
func IntoJetStream(ctx context.Context, store *natsstore.EventStore, masterKey []byte, cfg Config) (Summary, uint64, error) {
	if _, err := natsstore.OpenKeyStore(ctx, store.JetStream(), natsstore.Config{Replicas: cfg.Replicas}); err != nil {
		return Summary{}, 0, err
	}
	keys, err := store.NewBulkKeys()
	if err != nil {
		return Summary{}, 0, err
	}
	if cfg.Vault, err = pii.NewVault(keys, masterKey); err != nil {
		return Summary{}, 0, err
	}
	bulk, err := store.Bulk(ctx)
	if err != nil {
		return Summary{}, 0, err
	}
	sum, err := Run(ctx, cfg, bulkWriter{bulk: bulk, keys: keys})
	return sum, bulk.Position(), err
}

// bulkWriter stores the seeded commits and the data keys they are sealed
// with.
type bulkWriter struct {
	bulk *natsstore.BulkWriter
	keys *natsstore.BulkKeys
}

func (w bulkWriter) Prepare(stream string, events []eventstore.Event) (natsstore.BulkCommit, error) {
	return w.bulk.Prepare(stream, events)
}

func (w bulkWriter) Append(ctx context.Context, c natsstore.BulkCommit) error {
	_, err := w.bulk.AppendPrepared(ctx, c)
	return err
}

// Flush stores the keys before the commits are taken as written.
func (w bulkWriter) Flush(ctx context.Context) error {
	if err := w.keys.Flush(ctx); err != nil {
		return err
	}
	return w.bulk.Flush(ctx)
}
