package rulesets

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/eventstore"
)

// Service publishes rule sets and answers which are in use.
type Service struct {
	repo    *aggregate.Repository[*Book]
	shipped accreditation.RuleSets
	now     func() time.Time
	// all is every version, shipped then published, rebuilt when one is
	// published: the cases read it on every command and view.
	all atomic.Pointer[[]Version]
	// sets is all's rule sets but the replaced ones (which never take
	// effect), made with it: a command and a view read them two or three
	// times each (a copy each time was 386 B a command).
	sets atomic.Pointer[accreditation.RuleSets]
	// stale is set while a book could not be read from the store to
	// rebuild all: the next read tries again.
	stale atomic.Bool
}

// NewService wires the rule-set streams into feed (call before it runs);
// shipped are where each scheme's history starts.
func NewService(store eventstore.Store, feed *aggregate.Feed, now func() time.Time, shipped accreditation.RuleSets) *Service {
	s := &Service{shipped: shipped, now: now}
	s.repo = aggregate.NewRepository(StreamPrefix, store, feed, now, newBook)
	feed.Add(s) // after the repository, so that a publish answers with its version in All
	s.refresh()
	return s
}

// Follow implements aggregate.Follower: a published version joins All.
func (s *Service) Follow(c eventstore.Commit) {
	if strings.HasPrefix(c.Stream, StreamPrefix+".") {
		s.refresh()
	}
}

// Reindex implements aggregate.Reindexer: All is rebuilt from the books a
// snapshot restored.
func (s *Service) Reindex() { s.refresh() }

func (s *Service) refresh() {
	ctx, cancel := context.WithTimeout(context.Background(), aggregate.CommandTimeout)
	defer cancel()
	stale := false
	books := map[accreditation.Scheme]*Book{}
	for _, sc := range []accreditation.Scheme{accreditation.SchemeEIA, accreditation.SchemeEQA} {
		b, _, ok, err := s.repo.Find(ctx, BookID(sc))
		stale = stale || err != nil
		if ok {
			books[sc] = b
		}
	}
	all := shippedHistory(s.shipped, books)
	for _, sc := range []accreditation.Scheme{accreditation.SchemeEIA, accreditation.SchemeEQA} {
		if b := books[sc]; b != nil {
			for _, v := range b.Versions {
				v.RuleSet = v.RuleSet.Complete()
				all = append(all, v)
			}
		}
	}
	sets := make(accreditation.RuleSets, 0, len(all))
	for _, v := range all {
		if v.ReplacedBy == "" {
			sets = append(sets, v.RuleSet)
		}
	}
	s.sets.Store(&sets)
	s.all.Store(&all)
	s.stale.Store(stale)
}

// shippedHistory is the shipped versions that are part of each scheme's
// history, given the office's books. A scheme's shipped versions run up to
// the one its office's first version was edited from: a version shipped
// later (accreditation.SupervisionRuleSetID) came after the office took
// the rules over, and the office's versions hold (it publishes the change
// in one of its own). Where the office's first version was edited from a
// shipped version still scheduled and takes effect before it, it replaced
// it, as Book.Apply marks a published one.
func shippedHistory(shipped accreditation.RuleSets, books map[accreditation.Scheme]*Book) []Version {
	var out []Version
	for _, sc := range []accreditation.Scheme{accreditation.SchemeEIA, accreditation.SchemeEQA} {
		var first *Version
		if b := books[sc]; b != nil && len(b.Versions) > 0 {
			first = &b.Versions[0]
		}
		ofScheme := shipped.Of(sc)
		basis := slices.IndexFunc(ofScheme, func(r accreditation.RuleSet) bool { return first != nil && r.ID == first.BasedOn })
		for i, r := range ofScheme {
			v := Version{RuleSet: r}
			if first != nil && basis >= 0 {
				if i > basis {
					break // shipped after the office's first version
				}
				if i == basis && i > 0 && first.EffectiveFrom.Before(r.EffectiveFrom) {
					v.ReplacedBy = first.ID
				}
			} else if first != nil && i > 0 {
				break // the office's versions predate the later shipped ones
			}
			out = append(out, v)
		}
	}
	return out
}

// Versions returns every version of both schemes, shipped first, each
// scheme's in the order published, the replaced ones too. Read only.
func (s *Service) Versions() []Version {
	if s.stale.Load() {
		s.refresh()
	}
	return *s.all.Load()
}

// All returns every version that takes effect (not the replaced ones) as
// the rule sets the cases are checked against. Read only.
func (s *Service) All() accreditation.RuleSets {
	if s.stale.Load() {
		s.refresh()
	}
	return *s.sets.Load()
}

// Version returns the version with the given id.
func (s *Service) Version(id string) (Version, bool) {
	vs := s.Versions()
	i := slices.IndexFunc(vs, func(v Version) bool { return v.ID == id })
	if i < 0 {
		return Version{}, false
	}
	return vs[i], true
}

// Latest returns the scheme's latest version (in force or not yet, not
// replaced): the one a new version is edited from.
func (s *Service) Latest(scheme accreditation.Scheme) accreditation.RuleSet {
	var latest accreditation.RuleSet
	for _, v := range s.Versions() {
		if v.Scheme == scheme && v.ReplacedBy == "" {
			latest = v.RuleSet
		}
	}
	return latest
}

// Status is where a version stands at a time.
type Status string

// The statuses of a version.
const (
	StatusInForce    Status = "in_force"
	StatusScheduled  Status = "scheduled"  // takes effect later
	StatusSuperseded Status = "superseded" // a later version is in force
	StatusReplaced   Status = "replaced"   // replaced before it took effect: it never will
)

// StatusOf returns where version v stands at t.
func (s *Service) StatusOf(v Version, t time.Time) Status {
	if v.ReplacedBy != "" {
		return StatusReplaced
	}
	return s.StatusAt(v.RuleSet, t)
}

// StatusAt returns where v, a version not replaced, stands at t.
func (s *Service) StatusAt(v accreditation.RuleSet, t time.Time) Status {
	switch {
	case v.EffectiveFrom.After(t):
		return StatusScheduled
	case s.All().InForce(v.Scheme, t).ID == v.ID:
		return StatusInForce
	}
	return StatusSuperseded
}

// PublishRequest is a new version of scheme's rules (see PublishInput).
type PublishRequest struct {
	Scheme        string
	BasedOn       string
	EffectiveFrom string // YYYY-MM-DD
	Rules         []RuleChange
	Declarations  []DeclarationChange
}

// input checks the request's scheme and date.
func (s *Service) input(in PublishRequest) (accreditation.Scheme, PublishInput, error) {
	scheme := accreditation.Scheme(in.Scheme)
	if !scheme.Valid() {
		return "", PublishInput{}, domain.InvalidFields("invalid rule set", domain.FieldError{Field: "scheme", Reason: "EIA or EQA"})
	}
	pi := PublishInput{BasedOn: strings.TrimSpace(in.BasedOn), Rules: in.Rules, Declarations: in.Declarations}
	if in.EffectiveFrom != "" {
		d, err := accreditation.ParseDate(strings.TrimSpace(in.EffectiveFrom))
		if err != nil {
			return "", PublishInput{}, domain.InvalidFields("invalid rule set", domain.FieldError{Field: "effective_from", Reason: "a date such as 2027-01-01"})
		}
		pi.EffectiveFrom = d
	}
	return scheme, pi, nil
}

// shippedOf is the shipped version of scheme that the office's book b
// follows: the latest of the scheme's shipped history (shippedHistory) that
// was not replaced. It is the one a first version is edited from, and the
// one the book's first version followed: a shipped version left out of the
// history, or replaced by the office's first version, never takes effect,
// so a later version's date is not held to its.
func (s *Service) shippedOf(scheme accreditation.Scheme, b *Book) accreditation.RuleSet {
	var out accreditation.RuleSet
	for _, v := range shippedHistory(s.shipped, map[accreditation.Scheme]*Book{scheme: b}) {
		if v.Scheme == scheme && v.ReplacedBy == "" {
			out = v.RuleSet
		}
	}
	return out
}

// Preview returns the version that publishing in would make, without
// publishing it, so that the office can review it. Errors: as Publish,
// and Unavailable when the book cannot be read (never previewed as empty).
func (s *Service) Preview(ctx context.Context, actor domain.Actor, in PublishRequest) (accreditation.RuleSet, error) {
	scheme, pi, err := s.input(in)
	if err != nil {
		return accreditation.RuleSet{}, err
	}
	b, _, ok, err := s.repo.Find(ctx, BookID(scheme))
	if err != nil {
		return accreditation.RuleSet{}, err
	}
	if !ok {
		b = newBook(BookID(scheme))
	}
	changes, err := b.Publish(actor, s.now(), s.shippedOf(scheme, b), pi)
	if err != nil {
		return accreditation.RuleSet{}, err
	}
	return changes[0].Data.(Published).RuleSet, nil
}

// Publish publishes a new version of a scheme's rules and returns it.
// Errors: see Book.Publish; Invalid for an unknown scheme or a malformed
// date.
func (s *Service) Publish(ctx context.Context, m aggregate.Meta, in PublishRequest) (accreditation.RuleSet, aggregate.Result, error) {
	scheme, pi, err := s.input(in)
	if err != nil {
		return accreditation.RuleSet{}, aggregate.Result{}, err
	}
	m.Command = "publish_rule_set"
	res, err := s.repo.Update(ctx, BookID(scheme), m, func(b *Book, _ uint64) ([]aggregate.Change, error) {
		return b.Publish(m.Actor, s.now(), s.shippedOf(scheme, b), pi)
	})
	if err != nil {
		return accreditation.RuleSet{}, res, err
	}
	b, ok := aggregate.StateOf[*Book](res)
	if !ok {
		// A retry answered from the first attempt: read what it published.
		if b, _, _, err = s.repo.Find(ctx, BookID(scheme)); err != nil {
			return accreditation.RuleSet{}, res, err
		}
	}
	// The stream's version n is its n-th published version.
	if b == nil || res.Version == 0 || res.Version > uint64(len(b.Versions)) {
		return accreditation.RuleSet{}, res, domain.Errorf(domain.Internal, "published %s rules not found", scheme)
	}
	return b.Versions[res.Version-1].RuleSet, res, nil
}
