package credential

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
)

// StreamPrefix names the stream of the status list's indexes:
// "credentialstatus.1", one per list (there is one).
const StreamPrefix = "credentialstatus"

// EventIndexAllocated gives an award its index in the status lists, once;
// a stable name, never renamed.
const EventIndexAllocated = "credential.status_index_allocated"

const listID = "1"

// IndexAllocated is the payload of EventIndexAllocated.
type IndexAllocated struct {
	AccreditationID string `json:"accreditation_id"`
	Index           int    `json:"index"`
}

// Indexes is the aggregate of one status list's indexes.
type Indexes struct {
	ByAward map[string]int
	used    map[int]bool
}

func newIndexes(string) *Indexes { return &Indexes{ByAward: map[string]int{}, used: map[int]bool{}} }

// Clone implements aggregate.Root.
func (x *Indexes) Clone() *Indexes {
	c := newIndexes("")
	for k, v := range x.ByAward {
		c.ByAward[k], c.used[v] = v, true
	}
	return c
}

// Apply implements aggregate.Root.
func (x *Indexes) Apply(e eventstore.Event) error {
	if e.Type != EventIndexAllocated {
		return nil
	}
	var p IndexAllocated
	if err := json.Unmarshal(e.Data, &p); err != nil {
		return fmt.Errorf("%s: %w", e.Type, err)
	}
	x.ByAward[p.AccreditationID], x.used[p.Index] = p.Index, true
	return nil
}

// allocate decides an index for award acc: none when it has one. The index
// is drawn at random among the free ones, so that it tells nothing of
// when the award was made (the list's herd privacy).
func (x *Indexes) allocate(acc string) ([]aggregate.Change, error) {
	if _, ok := x.ByAward[acc]; ok {
		return nil, nil
	}
	if len(x.used) >= ListEntries {
		return nil, domain.Errorf(domain.Unavailable, "the credential status list is full (%d entries)", ListEntries)
	}
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(ListEntries))
		if err != nil {
			return nil, err
		}
		if i := int(n.Int64()); !x.used[i] {
			return []aggregate.Change{{Type: EventIndexAllocated, SchemaVersion: 1, Data: IndexAllocated{AccreditationID: acc, Index: i}}}, nil
		}
	}
}

// Service issues the office's credentials and publishes its keys and
// status lists.
type Service struct {
	Office Office
	Keys   KeyRing
	repo   *aggregate.Repository[*Indexes]
	now    func() time.Time
}

// NewService wires the status indexes into feed (call before it runs) and
// makes the key ring's first key if it has none.
func NewService(store eventstore.Store, feed *aggregate.Feed, office Office, keys KeyRing, now func() time.Time) (*Service, error) {
	if err := keys.Ensure(now()); err != nil {
		return nil, fmt.Errorf("credential keys: %w", err)
	}
	return &Service{Office: office, Keys: keys, now: now,
		repo: aggregate.NewRepository(StreamPrefix, store, feed, now, newIndexes)}, nil
}

// Index returns award acc's index in the status lists, allocating it the
// first time: an append at the list stream's expected version, so two
// processes issuing at once never give out one index twice (the loser
// decides again from the stream). Errors: Unavailable.
func (s *Service) Index(ctx context.Context, actor domain.Actor, acc string) (int, error) {
	x, _, ok, err := s.repo.Find(ctx, listID)
	if err != nil {
		return 0, err
	}
	if ok {
		if i, has := x.ByAward[acc]; has {
			return i, nil
		}
	}
	res, err := s.repo.Update(ctx, listID, aggregate.Meta{Command: "allocate_status_index", Actor: actor},
		func(x *Indexes, _ uint64) ([]aggregate.Change, error) { return x.allocate(acc) })
	if err != nil {
		return 0, err
	}
	x, ok = aggregate.StateOf[*Indexes](res)
	if !ok {
		if x, _, _, err = s.repo.Find(ctx, listID); err != nil {
			return 0, err
		}
	}
	i, has := x.ByAward[acc]
	if !has {
		return 0, domain.Errorf(domain.Internal, "status index of %s allocated but not found", acc)
	}
	return i, nil
}

// Issue makes award a's credential, signed with the current key.
// Errors: Unavailable.
func (s *Service) Issue(ctx context.Context, actor domain.Actor, a Award) (string, Credential, error) {
	i, err := s.Index(ctx, actor, a.AccreditationID)
	if err != nil {
		return "", Credential{}, err
	}
	k, err := s.Keys.Current()
	if err != nil {
		return "", Credential{}, domain.Wrap(domain.Internal, err, "no credential key")
	}
	c := s.Office.Build(a, i)
	token, err := s.Office.Sign(k, c)
	if err != nil {
		return "", Credential{}, domain.Wrap(domain.Internal, err, "cannot sign the credential")
	}
	return token, c, nil
}

// StatusList is the signed status list credential of purpose, from the
// status of each award given an index. Errors: NotFound (no such list),
// Unavailable.
func (s *Service) StatusList(ctx context.Context, purpose string, status StatusOf) (string, error) {
	if purpose != PurposeRevocation && purpose != PurposeMessage {
		return "", domain.Errorf(domain.NotFound, "no status list %q: there are %q and %q", purpose, PurposeRevocation, PurposeMessage)
	}
	x, _, ok, err := s.repo.Find(ctx, listID)
	if err != nil {
		return "", err
	}
	if !ok {
		x = newIndexes("")
	}
	l, err := s.Office.StatusList(purpose, x.ByAward, status, s.now())
	if err != nil {
		return "", domain.Wrap(domain.Internal, err, "status list")
	}
	k, err := s.Keys.Current()
	if err != nil {
		return "", domain.Wrap(domain.Internal, err, "no credential key")
	}
	return s.Office.Sign(k, l)
}

// Published is the office's keys, for the DID document and the JWKS.
// Errors: Internal (the key directory cannot be read).
func (s *Service) Published() ([]Key, error) {
	keys, err := s.Keys.Keys()
	if err != nil {
		return nil, domain.Wrap(domain.Internal, err, "credential keys")
	}
	return keys, nil
}

// PublicKeys is the verification keys as Verify takes them.
func (s *Service) PublicKeys() (PublicKeys, error) {
	keys, err := s.Published()
	if err != nil {
		return nil, err
	}
	out := PublicKeys{}
	for _, k := range keys {
		out[s.Office.KeyURL(k.ID)] = k.Public()
	}
	return out, nil
}
