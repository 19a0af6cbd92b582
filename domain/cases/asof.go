package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
)

// AsOf returns case id as it stood at t, as actor would have seen it then.
// It folds the case's own events recorded up to t into a new case: no
// second store, nothing kept. The actor must be allowed to see the case now
// and could have seen it as it stood then; what is shown follows the rules
// of that moment (an assessment hidden then is hidden now). Personal data
// erased since reads as erased, as its key is gone. Nothing can be done on a
// past view: its allowed actions are empty. Errors: NotFound (unknown, not
// visible, or not yet opened at t), Unavailable.
func (s *Service) AsOf(ctx context.Context, actor domain.Actor, id string, t time.Time) (*CaseView, error) {
	c, version, _, err := s.foldUntil(ctx, actor, id, t)
	if err != nil {
		return nil, err
	}
	v := s.viewAt(ctx, actor, c, version, t)
	at := t.UTC()
	v.AsOf, v.AllowedActions = &at, []accreditation.Action{}
	// The bars are today's profiles against the case: no part of the past.
	v.BarredRoles, v.ConflictedRoles = nil, nil
	if g := v.GraduateProgramme; g != nil {
		g.InForce = s.programmeInForceAt(ctx, g.AccreditationID, t)
	}
	return v, nil
}

// programmeInForceAt reports whether the EQA accreditation accID was in
// force at t: its case folded up to t (revoked or replaced since, it may
// still have been then), and its end date against t. A store failure
// reads as not in force, as the view's programme shows the id alone then.
func (s *Service) programmeInForceAt(ctx context.Context, accID string, t time.Time) bool {
	id, ok := s.index.caseOf(accID)
	if !ok {
		return false
	}
	evs, err := s.eventsUntil(ctx, id, t)
	if err != nil {
		return false
	}
	c := s.newCase(id)
	for _, e := range evs {
		if err := c.Apply(e); err != nil {
			s.log.Error("programme as it stood: event not applied", "case_id", id, "event", e.ID, "type", e.Type, "err", err)
		}
	}
	a := c.Accreditation
	return c.Scheme == accreditation.SchemeEQA && a != nil && a.ID == accID && accreditation.InForce(a.Status, a.ValidUntil, t)
}

// HistoryAsOf is History as it stood at t: the events recorded up to t,
// each shown as the rules of that moment let actor see it. Errors: as AsOf.
func (s *Service) HistoryAsOf(ctx context.Context, actor domain.Actor, id string, t time.Time) ([]HistoryEntry, error) {
	c, _, evs, err := s.foldUntil(ctx, actor, id, t)
	if err != nil {
		return nil, err
	}
	return s.historyOf(ctx, actor, c, evs), nil
}

// AtVersion returns case id as it stood at version (its events up to that
// version), as actor may see it now: what a form shown at that version
// showed, so that a save from it can tell the changes it makes from those
// made since. Nothing can be done on it: its allowed actions are empty.
// Errors: as AsOf.
func (s *Service) AtVersion(ctx context.Context, actor domain.Actor, id string, version uint64) (*CaseView, error) {
	if err := s.mustSee(actor, id); err != nil {
		return nil, err
	}
	evs, err := s.store.Load(ctx, accreditation.StreamPrefix+"."+id)
	if err != nil {
		return nil, domain.Wrap(domain.Unavailable, err, "event store unavailable")
	}
	n := 0
	for n < len(evs) && evs[n].Version <= version {
		n++
	}
	c, v, err := s.fold(actor, id, evs[:n], fmt.Sprintf("at version %d", version))
	if err != nil {
		return nil, err
	}
	view := s.viewAt(ctx, actor, c, v, s.now())
	view.AllowedActions = []accreditation.Action{}
	return view, nil
}

// foldUntil checks that actor may see case id now, then folds its events up
// to t and checks that actor could see the case as it stood then. It
// returns the case, its version then and the events folded (read once).
func (s *Service) foldUntil(ctx context.Context, actor domain.Actor, id string, t time.Time) (*accreditation.Case, uint64, []eventstore.Event, error) {
	if err := s.mustSee(actor, id); err != nil {
		return nil, 0, nil, err
	}
	evs, err := s.eventsUntil(ctx, id, t)
	if err != nil {
		return nil, 0, nil, err
	}
	c, version, err := s.fold(actor, id, evs, "at "+t.UTC().Format(time.RFC3339))
	if err != nil {
		return nil, 0, nil, err
	}
	return c, version, evs, nil
}

// fold folds evs, the first events of case id, into a new case and checks
// that actor could see it as it stood then (when: the moment, for the
// error of a case not yet opened then).
func (s *Service) fold(actor domain.Actor, id string, evs []eventstore.Event, when string) (*accreditation.Case, uint64, error) {
	c := s.newCase(id)
	var version uint64
	for _, e := range evs {
		if err := c.Apply(e); err != nil {
			s.log.Error("case as it stood: event not applied", "case_id", id, "event", e.ID, "type", e.Type, "err", err)
			continue
		}
		version = e.Version
	}
	if !c.Exists() {
		return nil, 0, domain.Errorf(domain.NotFound, "case %s had not been opened %s", id, when)
	}
	if !s.canSee(c, actor) {
		return nil, 0, notFound(id)
	}
	return c, version, nil
}

// eventsUntil are the events of case id recorded at or before t, in order.
func (s *Service) eventsUntil(ctx context.Context, id string, t time.Time) ([]eventstore.Event, error) {
	evs, err := s.store.Load(ctx, accreditation.StreamPrefix+"."+id)
	if err != nil {
		return nil, domain.Wrap(domain.Unavailable, err, "event store unavailable")
	}
	n := 0
	for n < len(evs) && !evs[n].OccurredAt.After(t) {
		n++
	}
	return evs[:n], nil
}
