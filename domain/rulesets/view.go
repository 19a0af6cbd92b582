package rulesets

import (
	"maps"
	"time"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/framework"
)

// RuleView is one rule as the API shows it: every level, null where the
// rule is not set.
type RuleView struct {
	Name   string                       `json:"name"`
	Unit   accreditation.Unit           `json:"unit"`
	Values map[framework.Level]*float64 `json:"values"`
	Source string                       `json:"source,omitempty"`
	// Graduates are the figures for graduates of an EQA-accredited
	// programme where they differ, by level; absent when none do.
	Graduates map[framework.Level]float64 `json:"graduates,omitempty"`
}

// VersionView is one version as the API shows it.
type VersionView struct {
	ID            string               `json:"id"`
	Scheme        accreditation.Scheme `json:"scheme"`
	EffectiveFrom time.Time            `json:"effective_from"`
	Status        Status               `json:"status"`
	// Shipped: the version the system ships with, not published by the
	// office.
	Shipped     bool       `json:"shipped,omitempty"`
	PublishedAt time.Time  `json:"published_at,omitzero"`
	BasedOn     string     `json:"based_on,omitempty"`
	ReplacedBy  string     `json:"replaced_by,omitempty"`
	Rules       []RuleView `json:"rules"`
	// Declarations are what an applicant confirms at submission and at
	// renewal.
	Declarations []accreditation.Declaration `json:"declarations"`
}

// View returns v as the API shows it at now.
func (s *Service) View(v Version, now time.Time) VersionView {
	out := VersionView{ID: v.ID, Scheme: v.Scheme, EffectiveFrom: v.EffectiveFrom, Status: s.StatusOf(v, now),
		Shipped: v.PublishedAt.IsZero(), PublishedAt: v.PublishedAt, BasedOn: v.BasedOn, ReplacedBy: v.ReplacedBy, Rules: []RuleView{},
		Declarations: append([]accreditation.Declaration{}, v.Declarations...)}
	for _, r := range v.Rules {
		rv := RuleView{Name: r.Name, Unit: r.Unit, Source: r.Source, Values: map[framework.Level]*float64{}, Graduates: maps.Clone(r.Graduates)}
		for _, l := range framework.Levels {
			rv.Values[l] = nil
			if x, ok := r.Value(l); ok {
				rv.Values[l] = &x
			}
		}
		out.Rules = append(out.Rules, rv)
	}
	return out
}

// Change is one figure that differs between two versions; nil is not set.
type Change struct {
	Rule  string             `json:"rule"`
	Unit  accreditation.Unit `json:"unit"`
	Level framework.Level    `json:"level"`
	From  *float64           `json:"from"`
	To    *float64           `json:"to"`
	// Graduates: the change is to the figure for graduates of an
	// EQA-accredited programme.
	Graduates bool `json:"graduates,omitempty"`
}

// Diff returns the figures that differ from a to b, rule by rule in b's
// order, level by level.
func Diff(a, b accreditation.RuleSet) []Change {
	var out []Change
	for _, r := range b.Rules {
		old, _ := a.Rule(r.Name)
		for _, graduates := range []bool{false, true} {
			from, to := old.Values, r.Values
			if graduates {
				from, to = old.Graduates, r.Graduates
			}
			for _, l := range framework.Levels {
				x, had := from[l]
				y, has := to[l]
				if had == has && x == y {
					continue
				}
				c := Change{Rule: r.Name, Unit: r.Unit, Level: l, Graduates: graduates}
				if had {
					c.From = &x
				}
				if has {
					c.To = &y
				}
				out = append(out, c)
			}
		}
	}
	return out
}
