package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// Imported is one user for Import.
type Imported struct {
	Email string
	Name  string
	Role  domain.Role
	// PasswordHash is one from HashPassword. Many users may share one, so
	// that importing does not run the slow password hash once a user.
	PasswordHash string
	// At is when the user was registered; the zero time is now.
	At time.Time
}

// Import writes users straight to the store, as a registration does (the
// email's reservation, then the user's own stream), workers of them at a
// time, and returns their ids in the order given. It is for seeding a store
// and for benchmarks: a running service sees the users through its feed.
// An email already reserved in the store is refused (Conflict) like a
// registration, so a second import of one user fails instead of making two.
func Import(ctx context.Context, store eventstore.Store, vault *pii.Vault, users []Imported, workers int) ([]string, error) {
	ids := make([]string, len(users))
	errs := make([]error, len(users))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for i := range next {
				ids[i], errs[i] = importOne(ctx, store, vault, users[i])
			}
		})
	}
	for i := range users {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return ids, err
	}
	return ids, ctx.Err()
}

func importOne(ctx context.Context, store eventstore.Store, vault *pii.Vault, in Imported) (string, error) {
	if err := CheckEmail(in.Email); err != nil {
		return "", domain.InvalidFields("invalid user", domain.FieldError{Field: "email", Reason: err.Error()})
	}
	if !in.Role.Valid() || strings.TrimSpace(in.Name) == "" || in.PasswordHash == "" {
		return "", domain.Errorf(domain.Invalid, "import %s: role, name and password hash are required", in.Email)
	}
	at := in.At
	if at.IsZero() {
		at = time.Now()
	}
	id := ulid.MustNew(ulid.Timestamp(at), ulid.DefaultEntropy()).String()
	key := vault.Blind(NormaliseEmail(in.Email))
	actor := domain.System
	reserved, err := event(EventEmailReserved, EmailReserved{UserID: id}, at, actor)
	if err != nil {
		return "", err
	}
	_, err = store.Append(ctx, eventstore.AppendRequest{Stream: EmailPrefix + "." + key, Events: []eventstore.Event{reserved}})
	if errors.Is(err, eventstore.ErrConflict) {
		return "", fmt.Errorf("import %s: %w", in.Email, errEmailTaken)
	}
	if err != nil {
		return "", fmt.Errorf("import %s: reserve: %w", in.Email, err)
	}
	var sealed [3]pii.Sealed
	for i, v := range []string{displayEmail(in.Email), strings.TrimSpace(in.Name), in.PasswordHash} {
		if sealed[i], err = vault.Seal(ctx, id, v); err != nil {
			return "", fmt.Errorf("import %s: %w", in.Email, err)
		}
	}
	registered, err := event(EventUserRegistered, UserRegistered{UserID: id, Role: in.Role, Email: sealed[0], Name: sealed[1],
		PasswordHash: sealed[2], EmailKey: key}, at, actor)
	if err != nil {
		return "", err
	}
	if _, err := store.Append(ctx, eventstore.AppendRequest{Stream: UserPrefix + "." + id, Events: []eventstore.Event{registered}}); err != nil {
		return "", fmt.Errorf("import %s: register: %w", in.Email, err)
	}
	return id, nil
}

func event(typ string, data any, at time.Time, actor domain.Actor) (eventstore.Event, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return eventstore.Event{}, fmt.Errorf("encode %s: %w", typ, err)
	}
	return eventstore.Event{ID: ulid.Make().String(), Type: typ, SchemaVersion: 1, OccurredAt: at.UTC(), Actor: actor, Data: b}, nil
}
