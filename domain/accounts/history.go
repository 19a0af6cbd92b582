package accounts

import (
	"context"
	"encoding/json"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/pii"
)

// HistoryEntry is one event of a user's own stream, its personal fields
// opened (the address an email change left, a disabling's reason) and a
// password's hash withheld (pii.Withheld): that it changed, and when, is
// the user's; the hash is no one's to read.
type HistoryEntry struct {
	Seq        uint64       `json:"seq"`
	ID         string       `json:"id"`
	Type       string       `json:"type"`
	OccurredAt time.Time    `json:"occurred_at"`
	Actor      domain.Actor `json:"actor"`
	Data       any          `json:"data"`
}

// History returns every event of user id's account in order, those of the
// old directory stream included, for the user's right of access. Errors:
// NotFound, Unavailable.
func (s *Service) History(ctx context.Context, id string) ([]HistoryEntry, error) {
	evs, err := s.users.Events(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, domain.Errorf(domain.NotFound, "no user %s", id)
	}
	out := make([]HistoryEntry, 0, len(evs))
	for _, e := range evs {
		var data any
		if err := json.Unmarshal(e.Data, &data); err != nil {
			s.log.Error("account history: undecodable event payload shown as null", "event", e.ID, "type", e.Type, "err", err)
			data = nil
		}
		if m, ok := data.(map[string]any); ok {
			delete(m, "email_key") // the reservation's blinded key: says nothing to its owner
		}
		out = append(out, HistoryEntry{Seq: e.Seq, ID: e.ID, Type: e.Type, OccurredAt: e.OccurredAt, Actor: e.Actor,
			Data: pii.RevealTree(ctx, s.vault, data)})
	}
	return out, nil
}
