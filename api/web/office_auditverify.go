package web

import (
	"regexp"
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

// auditReasons word the fixed reasons of domain/audit in the reader's
// language: a pattern's groups (ids, numbers, another reason) fill its
// message in order. A reason none matches is shown as the verifier wrote
// it.
var auditReasons = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^content does not match its hash \(altered\)$`), "auditverify.reason.altered"},
	{regexp.MustCompile(`^previous hash does not match the event before it \(removed or reordered\)$`), "auditverify.reason.prev_hash"},
	{regexp.MustCompile(`^version (\d+) where (\d+) was expected \(events removed\)$`), "auditverify.reason.gap"},
	{regexp.MustCompile(`^version (\d+) after version (\d+) \(reordered or duplicated\)$`), "auditverify.reason.reordered"},
	{regexp.MustCompile(`^event names stream (\S+) but is stored on (\S+)$`), "auditverify.reason.wrong_stream"},
	{regexp.MustCompile(`^commit cannot be decoded: (.*)$`), "auditverify.reason.undecodable"}, // the decoder's words stay
	{regexp.MustCompile(`^does not match checkpoint of seq (\d+): (.+)$`), "auditverify.reason.checkpoint"},
	{regexp.MustCompile(`^signature does not verify$`), "auditverify.reason.signature"},
	{regexp.MustCompile(`^stream (\S+) is missing \(checkpointed at version (\d+)\)$`), "auditverify.reason.stream_missing"},
	{regexp.MustCompile(`^stream (\S+): version (\d+) is missing \(events removed\)$`), "auditverify.reason.version_missing"},
	{regexp.MustCompile(`^stream (\S+): version (\d+) hash differs from the checkpoint$`), "auditverify.reason.hash_differs"},
}

// auditReason is a reason of domain/audit in lang.
func auditReason(lang, reason string) string {
	for _, r := range auditReasons {
		m := r.re.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		var args []any
		for i, g := range m[1:] {
			if r.key == "auditverify.reason.checkpoint" && i == 1 {
				g = auditReason(lang, g) // the checkpoint's own problem
			}
			args = append(args, g)
		}
		return tr(lang, r.key, args...)
	}
	return reason
}
