package natsstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/audit"
)

// CheckpointsStream holds the signed checkpoints of the audit chain.
const (
	CheckpointsStream  = "ACCREDIT_CHECKPOINTS"
	checkpointsSubject = "accredit.checkpoints"
)

// CheckpointStore keeps signed checkpoints in their own append-only stream.
type CheckpointStore struct {
	js     jetstream.JetStream
	stream jetstream.Stream
}

// OpenCheckpointStore creates or updates the checkpoints stream.
func OpenCheckpointStore(ctx context.Context, js jetstream.JetStream, cfg Config) (*CheckpointStore, error) {
	st, err := ensure(ctx, "create stream "+CheckpointsStream, func(ctx context.Context) (jetstream.Stream, error) {
		return js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name: CheckpointsStream, Description: "Signed checkpoints of every event stream's head",
			Subjects: []string{checkpointsSubject}, Storage: jetstream.FileStorage, Replicas: cfg.replicas(),
			DenyDelete: true, DenyPurge: true, AllowDirect: true,
		})
	})
	if err != nil {
		return nil, err
	}
	return &CheckpointStore{js: js, stream: st}, nil
}

// Add implements audit.CheckpointStore.
func (s *CheckpointStore) Add(ctx context.Context, c audit.Checkpoint) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = s.js.Publish(ctx, checkpointsSubject, b)
	return err
}

// List implements audit.CheckpointStore.
func (s *CheckpointStore) List(ctx context.Context) ([]audit.Checkpoint, error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return nil, err
	}
	var out []audit.Checkpoint
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.stream.GetMsg(ctx, seq)
		if err != nil {
			continue // a gap (deleted checkpoint) shows up as fewer checkpoints
		}
		var c audit.Checkpoint
		if err := json.Unmarshal(m.Data, &c); err != nil {
			return nil, fmt.Errorf("checkpoint %d: %w", seq, err)
		}
		out = append(out, c)
	}
	return out, nil
}
