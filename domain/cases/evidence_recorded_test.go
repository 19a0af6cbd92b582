package cases_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/pii"
)

// TestAnEvidenceCommandStoredButNotYetAppliedKeepsTheFileRight: an upload
// or a removal that is stored while this process has not caught up with it
// (the feed lags past the command's wait, or the client left) answers
// Unavailable, to retry; the upload's file is kept, as the case refers to
// it, and the removal's file is deleted. The upload's file was deleted as
// if the command had been refused: the case listed evidence whose file was
// gone.
func TestAnEvidenceCommandStoredButNotYetAppliedKeepsTheFileRight(t *testing.T) {
	ctx := context.Background()
	store := eventstore.NewMemory()
	feed := aggregate.NewFeed(store, nil)
	vault, err := pii.NewVault(pii.NewMemoryKeys(), bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	blobs := evidence.NewMemoryBlobs()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := cases.NewService(cases.Config{Store: store, Feed: feed, Vault: vault, Blobs: blobs, TempDir: t.TempDir(), Now: func() time.Time { return now }})
	// follow runs the feed until the returned stop is called.
	follow := func() (stop func()) {
		run, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = feed.Run(run) }()
		return func() { cancel(); <-done }
	}
	stop := follow()
	applicant := aggregate.Meta{Actor: domain.Actor{ID: "01JAPPLICANT0000000000000A", Role: domain.RoleApplicant}}
	id, _, err := s.Open(ctx, applicant, cases.OpenRequest{Scheme: "EIA", Level: "practitioner", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	upload := func(m aggregate.Meta) (string, error) {
		evID, _, err := s.AddEvidence(ctx, m, id, cases.Upload{Kind: string(accreditation.EvidenceKinds[0]), Title: "Log",
			FileName: "log.txt", File: strings.NewReader("my supervision log")})
		return evID, err
	}
	notCaughtUp := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, aggregate.ErrNotCaughtUp) {
			t.Fatalf("%s while the feed stands still: got %v, want it stored and not yet applied", what, err)
		}
	}
	stored := func(evID string) bool {
		t.Helper()
		v, _, err := s.Get(ctx, applicant.Actor, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range v.Evidence {
			if e.ID == evID {
				f, err := s.EvidenceFile(ctx, applicant.Actor, id, evID)
				if err != nil {
					t.Fatalf("the case lists evidence %s but its file cannot be read: %v", evID, err)
				}
				b, _ := io.ReadAll(f.Body)
				f.Body.Close()
				return string(b) == "my supervision log"
			}
		}
		return false
	}

	// An upload stored while the feed stands still.
	stop()
	m := applicant
	m.CommandID = "01JUPLOADKEY00000000000000"
	evID, err := upload(m)
	notCaughtUp("the upload", err)
	stop = follow()
	if err := feed.WaitFor(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if !stored(evID) {
		t.Fatalf("evidence %s is not on the case with its file", evID)
	}

	// Its removal, stored while the feed stands still.
	stop()
	m.CommandID = "01JREMOVEKEY00000000000000"
	_, err = s.RemoveEvidence(ctx, m, id, evID)
	notCaughtUp("the removal", err)
	stop = follow()
	defer stop()
	if err := feed.WaitFor(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if stored(evID) {
		t.Fatalf("evidence %s is still on the case", evID)
	}
	if _, err := blobs.Get(ctx, id+"/"+evID); err == nil {
		t.Fatalf("the removed evidence's file %s/%s is still stored", id, evID)
	}
}
