package cases

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// SLA is the default service-level target from submission to decision.
const SLA = 56 * 24 * time.Hour

// View is a case as one caller may see it: a JSON object.
type View map[string]any

func (s *Service) reveal(ctx context.Context, v any) any { return pii.RevealTree(ctx, s.vault, v) }

// Reveal returns v (any JSON-marshallable value) as a JSON tree with every
// sealed value opened for a view.
func (s *Service) Reveal(ctx context.Context, v any) any { return s.reveal(ctx, toTree(v)) }

func toTree(v any) any {
	b, _ := json.Marshal(v)
	var t any
	_ = json.Unmarshal(b, &t)
	return t
}

// Get returns case id as actor may see it. Errors: NotFound.
func (s *Service) Get(ctx context.Context, actor domain.Actor, id string) (View, uint64, error) {
	c, version, err := s.visible(actor, id)
	if err != nil {
		return nil, 0, err
	}
	return s.view(ctx, actor, c, version), version, nil
}

// view shapes a case for actor (the case must be visible to them).
func (s *Service) view(ctx context.Context, actor domain.Actor, c *accreditation.Case, version uint64) View {
	now := s.now()
	visible := c.VisibleAssessments(actor)
	v := toTree(c).(map[string]any)
	v["assessments"] = toTree(visible)
	delete(v, "self_assessment")
	sa := []any{} // []any so that RevealTree opens the statements
	for _, cat := range slices.Sorted(maps.Keys(c.SelfAssessment)) {
		sa = append(sa, map[string]any{"category": cat, "statement": toTree(c.SelfAssessment[cat])})
	}
	v["self_assessment"] = sa
	if actor.Role == domain.RoleApplicant {
		delete(v, "participants")
	}
	v["rule_set"] = c.RuleSetVersion
	v["version"] = version
	v["allowed_actions"] = c.AllowedActions(actor, now, s.rules)
	next := c.Next(now)
	v["next_step"] = next.String()
	v["next"] = toTree(next)
	if c.State == accreditation.StateDraft || c.State == accreditation.StateReturned {
		unmet := c.Unmet(s.rules, now)
		if unmet == nil {
			unmet = []accreditation.Unmet{}
		}
		v["checklist"] = toTree(unmet)
	}
	if !c.SubmittedAt.IsZero() {
		v["expected_decision_by"] = c.SubmittedAt.Add(SLA).UTC().Format(time.RFC3339)
	}
	if d := c.AppealDeadline(); !d.IsZero() {
		v["appeal_deadline"] = d.UTC().Format(time.RFC3339)
	}
	return View(s.reveal(ctx, v).(map[string]any))
}

// HistoryEntry is one event of a case as the caller may see it.
type HistoryEntry struct {
	Seq        uint64       `json:"seq"`
	ID         string       `json:"id"`
	Type       string       `json:"type"`
	Version    uint64       `json:"version"`
	OccurredAt time.Time    `json:"occurred_at"`
	Actor      domain.Actor `json:"actor"`
	Data       any          `json:"data"`
}

// History returns every event of the case in order, as actor may see it:
// an assessment the caller may not yet see keeps its place, its content hidden.
func (s *Service) History(ctx context.Context, actor domain.Actor, id string) ([]HistoryEntry, error) {
	c, _, err := s.visible(actor, id)
	if err != nil {
		return nil, err
	}
	evs, err := s.store.Load(ctx, accreditation.StreamPrefix+"."+id)
	if err != nil {
		return nil, domain.Wrap(domain.Unavailable, err, "event store unavailable")
	}
	visible := map[accreditation.AssessorRole]bool{}
	for _, a := range c.VisibleAssessments(actor) {
		visible[a.Role] = true
	}
	out := make([]HistoryEntry, 0, len(evs))
	for _, e := range evs {
		out = append(out, s.historyEntry(ctx, e, visible))
	}
	return out, nil
}

func (s *Service) historyEntry(ctx context.Context, e eventstore.Event, visible map[accreditation.AssessorRole]bool) HistoryEntry {
	var data any
	_ = json.Unmarshal(e.Data, &data)
	if e.Type == accreditation.EventAssessmentSubmitted {
		m, _ := data.(map[string]any)
		role, _ := m["role"].(string)
		if !visible[accreditation.AssessorRole(role)] {
			data = map[string]any{"role": role, "hidden": "not visible to you until both assessments are in (or, for the applicant, until the decision)"}
		}
	}
	return HistoryEntry{Seq: e.Seq, ID: e.ID, Type: e.Type, Version: e.Version, OccurredAt: e.OccurredAt, Actor: e.Actor, Data: s.reveal(ctx, data)}
}
