package cases

import (
	"context"
	"fmt"
	"sync"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
)

// Quota bounds the evidence of one case, and of one applicant (see the
// package doc for why the applicant's bound counts bytes on every case).
type Quota struct {
	Files int   // files at once on one case
	Bytes int64 // their sizes added up, on one case
	// ApplicantBytes is the sizes of the evidence on all the cases of one
	// applicant added up (evidence.DefaultMaxApplicantBytes when 0).
	ApplicantBytes int64
}

// applicantQuotaError refuses a file of size bytes that would take the
// evidence of c's applicant past their quota: others is what their other
// cases hold; nil when it fits.
func (s *Service) applicantQuotaError(c *accreditation.Case, others, size int64) error {
	used := others
	for _, e := range c.Evidence {
		used += e.Size
	}
	limit := s.quota.ApplicantBytes
	if used+size <= limit {
		return nil
	}
	return &domain.Error{Code: domain.Unprocessable,
		Extra: map[string]any{"quota": "applicant_bytes", "max_applicant_bytes": limit, "applicant_bytes": used},
		Message: fmt.Sprintf("this file of %d bytes would take the evidence of all your applications to %d bytes, over the quota of %d bytes per applicant; remove a file from an application still in progress",
			size, used+size, limit),
		Fields: []domain.FieldError{{Field: "file", Reason: fmt.Sprintf("over the quota of %d bytes per applicant", limit)}}}
}

// otherEvidenceBytes is what the cases of applicant other than case id
// hold in evidence, once the feed has applied everything stored now (a
// file recorded a moment ago by another process counts).
func (s *Service) otherEvidenceBytes(ctx context.Context, applicant, id string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, aggregate.CommandTimeout)
	defer cancel()
	last, err := s.store.LastSeq(ctx)
	if err != nil {
		return 0, domain.Wrap(domain.Unavailable, err, "event store unavailable")
	}
	if err := s.feed.WaitFor(ctx, last); err != nil {
		return 0, err
	}
	return s.evidenceBytes(ctx, applicant, id)
}

// ApplicantEvidenceBytes is what all the cases of applicant hold in
// evidence, as this process knows them now: what the evidence page shows
// beside the applicant's quota (the check of an upload waits for the
// store; a page need not).
func (s *Service) ApplicantEvidenceBytes(ctx context.Context, applicant string) (int64, error) {
	return s.evidenceBytes(ctx, applicant, "")
}

// evidenceBytes adds up the evidence of the cases of applicant but case
// except (none when "").
func (s *Service) evidenceBytes(ctx context.Context, applicant, except string) (int64, error) {
	var total int64
	for _, other := range s.index.casesOf(applicant) {
		if other == except {
			continue
		}
		if err := s.repo.Peek(ctx, other, func(c *accreditation.Case, _ uint64, ok bool) {
			for _, e := range c.Evidence {
				total += e.Size
			}
		}); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// keyLocks is one mutex per key, kept while someone holds or waits for it.
type keyLocks struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	users int
}

// lock takes key's lock and returns its release.
func (k *keyLocks) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
