package web

import (
	"slices"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/audit"
)

// ---- audit integrity ----

// auditVerify runs the verification of the audit trail, as
// GET /api/v1/audit/verify does, and shows its verdict: intact or not, the
// first mismatch of each stream that has one, and each checkpoint.
func (a *app) auditVerify(x *ctx) error {
	if a.d.Verify == nil {
		return domain.Errorf(domain.Unavailable, "audit verification is not available")
	}
	rep, err := a.d.Verify(x.Request().Context())
	if err != nil {
		return err
	}
	var broken []audit.StreamReport
	var events uint64
	for _, s := range rep.Streams {
		events += s.Events
		if !s.Intact {
			broken = append(broken, s)
		}
	}
	cps := slices.Clone(rep.Checkpoints)
	slices.Reverse(cps) // newest first
	var badCps int
	for _, c := range cps {
		if !c.Intact {
			badCps++
		}
	}
	d := map[string]any{"R": rep, "Broken": broken, "Events": events, "Checkpoints": cps, "BadCheckpoints": badCps,
		"At": a.d.Now(), "CanCheckpoint": a.d.Checkpoint != nil}
	return x.render(0, "auditverify", x.newPage("auditverify.title", d))
}

// auditCheckpoint signs and records a checkpoint of every stream's head now,
// as POST /api/v1/audit/checkpoints does.
func (a *app) auditCheckpoint(x *ctx) error {
	if a.d.Checkpoint == nil {
		return domain.Errorf(domain.Unavailable, "audit checkpoints are not available")
	}
	if _, err := a.d.Checkpoint(x.Request().Context()); err != nil {
		return err
	}
	return x.redirect("/office/audit/verify?ok=checkpoint_recorded")
}
