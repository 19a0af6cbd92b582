package app

// The timed jobs: the audit's checkpoints, the expiry of accreditations and
// the retention policy's erasures with the sweep of orphan evidence
// objects, each run by one process of a cluster at a time (its lease
// holder).

import (
	"context"
	"fmt"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/aggregate"
	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/cases"
)

// The leases of the timed jobs, by name: a stop gives up each it holds
// (releaseLeases).
const (
	leaseCheckpoint = "checkpoint"
	leaseExpiry     = "expiry"
	leaseRetention  = "retention"
	leaseMail       = "mail"
)

var jobLeases = []string{leaseCheckpoint, leaseExpiry, leaseRetention, leaseMail}

// releaseLeases gives up the jobs' leases this process holds, once its
// jobs have ended: the next process (a rolling update's) runs them at
// once rather than after the lease's TTL.
func (a *App) releaseLeases(ctx context.Context) {
	if a.leases == nil {
		return
	}
	// Bounded: with NATS away the leases lapse by themselves, and the
	// stop's budget is the snapshots'.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	for _, name := range jobLeases {
		if err := a.leases.Release(ctx, name, a.id); err != nil {
			a.log.Warn("leases not released on stop; another process takes them when they lapse", "lease", name, "err", err)
			return
		}
	}
}

// checkpointLoop signs a checkpoint every interval, in one process of the
// cluster at a time (the lease holder).
func (a *App) checkpointLoop(ctx context.Context) {
	t := time.NewTicker(a.cfg.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			ok, err := a.leases.Acquire(ctx, leaseCheckpoint, a.id)
			if err != nil || !ok {
				continue
			}
			if _, err := a.periodicCheckpoint(ctx); err != nil {
				a.log.Warn("audit checkpoint", "err", err)
			}
		}
	}
}

// periodicCheckpoint signs a checkpoint unless the last one stored, by any
// process, already covers the store (its seq is this process's position or
// later: an idle store would otherwise get a copy of every stream's head
// each interval, in a stream that denies deletes), or was made less than an
// interval ago (less a little for the ticks' jitter): the lease lasts 30 s,
// not an interval, so every process's tick used to sign one each interval.
// It reports whether it signed.
func (a *App) periodicCheckpoint(ctx context.Context) (bool, error) {
	last, ok, err := a.checkpoints.Last(ctx)
	if err != nil {
		return false, fmt.Errorf("read the last checkpoint: %w", err)
	}
	if ok {
		if mine := audit.KeyID(a.signer.Public()); last.KeyID != mine {
			return false, fmt.Errorf("not signed: the last checkpoint (seq %d) was signed with key %s, this process's (ACCREDIT_SIGNING_KEY_FILE) is %s", last.Seq, last.KeyID, mine)
		}
		if last.Seq >= a.heads.Seq() {
			return false, nil
		}
		interval := a.cfg.CheckpointInterval
		if a.now().Sub(last.CreatedAt) < interval-min(interval/10, 2*time.Second) {
			return false, nil
		}
	}
	if _, err := a.checkpoint(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// RunExpiry expires the accreditations past their date, if this process
// holds the expiry lease; it returns how many it expired.
func (a *App) RunExpiry(ctx context.Context) (int, error) {
	ok, err := a.leases.Acquire(ctx, leaseExpiry, a.id)
	if err != nil || !ok {
		return 0, err
	}
	return a.Cases.ExpireDue(ctx)
}

// RunRetention erases, under the retention policy, the personal data of the
// applicants whose last case activity (or registration) is older than the
// retention period and who have no case in progress and no active
// accreditation, then deletes the evidence objects no case names stored
// more than cases.OrphanMargin ago. It returns how many applicants it
// erased. Only the lease holder runs it.
func (a *App) RunRetention(ctx context.Context) (int, error) {
	n, _, err := a.runRetention(ctx)
	return n, err
}

// runRetention is RunRetention; held says whether this process held the
// lease (and so ran it).
func (a *App) runRetention(ctx context.Context) (n int, held bool, err error) {
	ok, err := a.leases.Acquire(ctx, leaseRetention, a.id)
	if err != nil || !ok {
		return 0, false, err
	}
	// Also with the policy off: an erasure the office asked for may have
	// stopped half way too.
	if err := a.finishErasures(ctx); err != nil {
		return 0, true, err
	}
	if a.cfg.RetentionYears > 0 {
		if n, err = a.eraseInactive(ctx); err != nil {
			return n, true, err
		}
	}
	// Also with the policy off: an upload's object whose event never came
	// (a stop between the two) would be kept for ever.
	swept, err := a.Cases.SweepOrphanEvidence(ctx, a.now().Add(-cases.OrphanMargin))
	if swept > 0 {
		a.log.Info("orphan evidence objects deleted", "count", swept)
	}
	return n, true, err
}

// eraseInactive erases the applicants the retention policy names.
func (a *App) eraseInactive(ctx context.Context) (int, error) {
	cutoff := a.now().AddDate(-a.cfg.RetentionYears, 0, 0)
	n := 0
	// From the indexes; only an applicant inactive past the cutoff has
	// their cases read, to see whether one is still open.
	for _, acc := range a.Accounts.Accounts(domain.RoleApplicant) {
		if acc.Erased {
			continue
		}
		last := acc.CreatedAt
		if act := a.Cases.LastActivity(acc.ID); act.After(last) {
			last = act
		}
		if !last.Before(cutoff) {
			continue
		}
		open, err := a.Cases.HasOpenCase(ctx, acc.ID)
		if err != nil {
			return n, fmt.Errorf("retention of %s: %w", acc.ID, err)
		}
		if open {
			continue
		}
		m := aggregate.Meta{Command: "erase", Actor: domain.System, CommandID: "retention-" + acc.ID}
		if _, err := a.Accounts.Erase(ctx, m, acc.ID, accounts.GroundRetention, ""); err != nil {
			return n, fmt.Errorf("retention erasure of %s: %w", acc.ID, err)
		}
		if err := a.Cases.AfterErasure(ctx, m, acc.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// finishErasures finishes the erasures that were recorded but not seen
// through (accounts.Account.ErasureDone false): a process stopped, or a
// store error, between the erasure's record and its work beyond the user
// (AfterErasure: their cases before a decision withdrawn, their evidence
// deleted, the erasure then recorded as completed). The retention job
// passes over an erased applicant, so nothing else would ever finish them.
// Every role: an assessor's or an office user's erasure has no cases to
// end, but until it is recorded as completed another process that fetched
// their key again between the erasure's record and the key's deletion
// keeps it (the completion is what has every process forget it).
// AfterErasure may be run again (a case ended and an object deleted stay
// so); an erasure recorded as completed is passed over, so a run reads the
// cases of the unfinished ones only, not of everyone ever erased.
func (a *App) finishErasures(ctx context.Context) error {
	for _, role := range []domain.Role{domain.RoleApplicant, domain.RoleAssessor, domain.RoleOffice} {
		for _, acc := range a.Accounts.Accounts(role) {
			if !acc.Erased || acc.ErasureDone {
				continue
			}
			m := aggregate.Meta{Command: "erase", Actor: domain.System, CommandID: "retention-" + acc.ID}
			if err := a.Cases.AfterErasure(ctx, m, acc.ID); err != nil {
				return fmt.Errorf("finish the erasure of %s: %w", acc.ID, err)
			}
		}
	}
	return nil
}

// expiryLoop runs the expiry job every minute in the lease holder, and the
// retention job once a day.
func (a *App) expiryLoop(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	var lastRetention time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			lastRetention = a.retentionTick(ctx, lastRetention, a.runRetention)
			if n, err := a.RunExpiry(ctx); err != nil {
				a.log.Warn("expiry job", "err", err)
			} else if n > 0 {
				a.log.Info("accreditations expired", "count", n)
			}
		}
	}
}

// retentionTick runs the retention job (run) when a day has passed since
// last, and returns when it last ran: moved on only by a run that held the
// lease and succeeded. Moved on before the run, a failed run (or a lease
// lost to a process whose run then failed) waited a day for the next.
func (a *App) retentionTick(ctx context.Context, last time.Time, run func(context.Context) (int, bool, error)) time.Time {
	now := a.now()
	if now.Sub(last) <= 24*time.Hour {
		return last
	}
	n, held, err := run(ctx)
	switch {
	case err != nil:
		a.log.Warn("retention job", "err", err)
		return last
	case !held:
		return last
	case n > 0:
		a.log.Info("personal data erased under the retention policy", "users", n)
	}
	return now
}
