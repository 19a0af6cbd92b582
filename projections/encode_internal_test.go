package projections

import (
	"bytes"
	stdflate "compress/flate"
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/seed"
)

// seededModels is the read models of a seeded data set: cases in every
// state, with portfolios, assessments, decisions, appeals and renewals.
func seededModels(t *testing.T) (cases []*accreditation.Case, records []DecisionRecord) {
	t.Helper()
	vault, err := pii.NewVault(pii.NewMemoryKeys(), make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	hash, err := accounts.SeedPasswordHash("a long seeding password")
	if err != nil {
		t.Fatal(err)
	}
	store := eventstore.NewMemory()
	if _, err := seed.Run(context.Background(), seed.Config{Cases: 300, Users: 300, Seed: 3, Vault: vault, PasswordHash: hash,
		Until: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}, &seed.StoreWriter{Store: store}); err != nil {
		t.Fatal(err)
	}
	r := NewRunner(store, NewSet, Options{})
	if _, err := r.Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	r.Read(func(s *Set) {
		s.typed.Cases.Each(func(c *accreditation.Case) { cases = append(cases, c) })
		records, _ = s.typed.Decisions.Page(DecisionFilter{}, nil, 1<<30)
	})
	if len(cases) < 300 || len(records) < 100 {
		t.Fatalf("%d cases and %d decision records; the test needs more", len(cases), len(records))
	}
	return cases, records
}

// TestMarshalWritesWhatEncodingJSONWrites: the encoder the cold cases and
// the decision records are written with gives encoding/json's very bytes
// for every seeded case and record (map keys in order, HTML escaped,
// sealed values by their own MarshalJSON), so a snapshot is the same file
// whichever wrote it.
func TestMarshalWritesWhatEncodingJSONWrites(t *testing.T) {
	cases, records := seededModels(t)
	same := func(what string, v any) {
		t.Helper()
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s:\n%s\nencoding/json:\n%s", what, got, want)
		}
	}
	for _, c := range cases {
		same("case "+c.ID, c)
	}
	for i := range records {
		same("decision record of "+records[i].CaseID, &records[i])
	}
	// What encoding/json escapes, in a case's own texts.
	odd := cases[0].Clone()
	odd.Language = "<nl> & \"en\"\u2028\x01é"
	same("a case with texts to escape", odd)
}

// TestACompressedCaseReadsBackAsItWas: a case compressed (cold, or in a
// snapshot) decodes to the case it was, and compressing that gives the same
// bytes again (a snapshot of a restored case is the one before).
func TestACompressedCaseReadsBackAsItWas(t *testing.T) {
	cases, _ := seededModels(t)
	for _, c := range cases {
		j, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		b, err := compressCase(c)
		if err != nil {
			t.Fatalf("case %s: %v", c.ID, err)
		}
		if len(b) >= len(j) {
			t.Errorf("case %s: %d bytes compressed from %d", c.ID, len(b), len(j))
		}
		got, err := decompressCase(b)
		if err != nil {
			t.Fatalf("case %s: %v", c.ID, err)
		}
		if again, _ := json.Marshal(got); !bytes.Equal(again, j) || !reflect.DeepEqual(got.Assignments, c.Assignments) {
			t.Fatalf("case %s read back otherwise:\n%s\nwant\n%s", c.ID, again, j)
		}
		if b2, err := compressCase(got); err != nil || !bytes.Equal(b2, b) {
			t.Fatalf("case %s compressed again differs (%v)", c.ID, err)
		}
	}
}

// TestACaseInAnotherFormIsAnError: bytes that are not a compressed case
// (cut short, or a case deflated as snapshots before schema 2026-12-06.5
// held them) are an error, never another case.
func TestACaseInAnotherFormIsAnError(t *testing.T) {
	cases, _ := seededModels(t)
	zw, err := stdflate.NewWriter(nil, stdflate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases[:50] {
		j, _ := json.Marshal(c)
		var d bytes.Buffer
		zw.Reset(&d)
		if _, err := zw.Write(j); err != nil || zw.Close() != nil {
			t.Fatal(err)
		}
		if got, err := decompressCase(d.Bytes()); err == nil {
			t.Errorf("case %s deflated read as case %s", c.ID, got.ID)
		}
		b, _ := compressCase(c)
		if got, err := decompressCase(b[:len(b)/2]); err == nil {
			t.Errorf("case %s cut short read as case %s", c.ID, got.ID)
		}
	}
}
