package cases_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// undeletable is a blob store whose deletions fail while down is set, as
// when the object store is briefly unreachable.
type undeletable struct {
	*evidence.MemoryBlobs
	down atomic.Bool
}

func (u *undeletable) Delete(ctx context.Context, name string) error {
	if u.down.Load() {
		return errors.New("nats: no responders available for request")
	}
	return u.MemoryBlobs.Delete(ctx, name)
}

// TestAnErasureDeletesTheFileOfEvidenceRemovedBefore: a file removed from
// an application whose object could not be deleted then (the removal is
// recorded all the same) is deleted by its applicant's erasure. The
// erasure deleted only the files the case still listed, and the orphan
// sweep looks only at the week after an object's upload, when the case
// still named it: the file was kept for ever.
func TestAnErasureDeletesTheFileOfEvidenceRemovedBefore(t *testing.T) {
	ctx := context.Background()
	store := natstest.Start(t).EventStore(t)
	feed := aggregate.NewFeed(store, nil)
	vault, err := pii.NewVault(pii.NewMemoryKeys(), bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	blobs := &undeletable{MemoryBlobs: evidence.NewMemoryBlobs()}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := cases.NewService(cases.Config{Store: store, Feed: feed, Vault: vault, Blobs: blobs, TempDir: t.TempDir(), Now: func() time.Time { return now }})
	run, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	go func() { _ = feed.Run(run) }()

	applicant := aggregate.Meta{Actor: domain.Actor{ID: "01JAPPLICANT0000000000000A", Role: domain.RoleApplicant}}
	id, _, err := s.Open(ctx, applicant, cases.OpenRequest{Scheme: "EIA", Level: "practitioner", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	upload := func(name string) string {
		t.Helper()
		evID, _, err := s.AddEvidence(ctx, applicant, id, cases.Upload{Kind: string(accreditation.EvidenceKinds[0]), Title: name,
			FileName: name + ".txt", File: strings.NewReader("the file " + name)})
		if err != nil {
			t.Fatal(err)
		}
		return evID
	}
	removed, kept := upload("removed"), upload("kept")
	blobs.down.Store(true)
	if _, err := s.RemoveEvidence(ctx, applicant, id, removed); err != nil {
		t.Fatalf("a removal whose file could not be deleted: %v, want it recorded", err)
	}
	blobs.down.Store(false)
	objects := func() []string {
		t.Helper()
		var names []string
		if err := blobs.Walk(ctx, func(name string, _ time.Time) error { names = append(names, name); return nil }); err != nil {
			t.Fatal(err)
		}
		return names
	}
	if got := objects(); len(got) != 2 {
		t.Fatalf("objects before the erasure: got %v, want the kept file's and the removed file's left behind", got)
	}

	office := aggregate.Meta{Actor: domain.Actor{ID: "01JOFFICE00000000000000000", Role: domain.RoleOffice}, CommandID: "erase-1"}
	if err := s.AfterErasure(ctx, office, applicant.Actor.ID); err != nil {
		t.Fatal(err)
	}
	if got := objects(); len(got) != 0 {
		t.Fatalf("objects after the applicant's erasure: got %v, want none (%s removed, %s kept)", got, removed, kept)
	}
}
