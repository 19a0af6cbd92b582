package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/rulesets"
)

// ruleSetList is every version of the rules, optionally of one scheme.
type ruleSetList struct {
	RuleSets []rulesets.VersionView `json:"rule_sets"`
}

// listRuleSets answers anyone: applicants read the rules they are held to.
func (s *Server) listRuleSets(c echo.Context) error {
	var scheme accreditation.Scheme
	if v := c.QueryParam("scheme"); v != "" {
		scheme = accreditation.Scheme(v)
		if !scheme.Valid() {
			return badQuery("scheme", "EIA or EQA")
		}
	}
	rules, now := s.deps.Cases.Rules(), s.deps.Now()
	out := ruleSetList{RuleSets: []rulesets.VersionView{}}
	for _, v := range rules.Versions() {
		if scheme == "" || v.Scheme == scheme {
			out.RuleSets = append(out.RuleSets, rules.View(v, now))
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getRuleSet(c echo.Context) error {
	rules := s.deps.Cases.Rules()
	v, ok := rules.Version(c.Param("id"))
	if !ok {
		return domain.Errorf(domain.NotFound, "no rule set %q", c.Param("id"))
	}
	return c.JSON(http.StatusOK, rules.View(v, s.deps.Now()))
}

// publishRuleSetRequest is a new version: the one it is edited from (the
// scheme's latest), the day it takes effect, and the rules it changes.
type publishRuleSetRequest struct {
	Scheme        string                       `json:"scheme"`
	BasedOn       string                       `json:"based_on"`
	EffectiveFrom string                       `json:"effective_from"`
	Rules         []rulesets.RuleChange        `json:"rules"`
	Declarations  []rulesets.DeclarationChange `json:"declarations"`
}

func (s *Server) publishRuleSet(c echo.Context) error {
	var req publishRuleSetRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	m, err := meta(c)
	if err != nil {
		return err
	}
	rules := s.deps.Cases.Rules()
	r, res, err := rules.Publish(c.Request().Context(), m, rulesets.PublishRequest{Scheme: req.Scheme, BasedOn: req.BasedOn,
		EffectiveFrom: req.EffectiveFrom, Rules: req.Rules, Declarations: req.Declarations})
	if err != nil {
		return err
	}
	v, ok := rules.Version(r.ID)
	if !ok {
		return domain.Errorf(domain.Internal, "published rule set %s not found", r.ID)
	}
	writeResult(c, res)
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/rulesets/"+r.ID)
	return c.JSON(http.StatusCreated, rules.View(v, s.deps.Now()))
}
