package accreditation

import (
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
)

// withFee is the harness's rules plus a later EIA version, in force from
// the harness's day, that sets a fee of EUR 450 at every level.
func withFee(h *harness) RuleSets {
	next := h.rules.InForce(SchemeEIA, h.now).Clone()
	next.ID, next.EffectiveFrom = "eia-fee-1", h.now.Add(-time.Hour)
	i := slices.IndexFunc(next.Rules, func(r Rule) bool { return r.Name == RuleFee })
	next.Rules[i].Values, next.Rules[i].Source = levels(450, 450, 450, 450), "set by the office on 2025-03-03"
	return append(slices.Clone(h.rules), next)
}

func recordPayment(in PaymentInput) command { return with((*Case).RecordPayment, in) }

// TestAFeeSetAtSubmissionIsAwaited: where the pinned rules set a fee, the
// submitted case awaits its payment; screening is refused until the office
// records it; once paid, a resubmission after a return asks for no fee.
func TestAFeeSetAtSubmissionIsAwaited(t *testing.T) {
	h := given(t, SchemeEIA, ready)
	rules := withFee(h)
	wantTypes(t, h.do(applicant, submitCmd(rules)), EventCaseSubmitted)
	h.wantState(StateAwaitingPayment)
	if s := h.c.Next(h.now); s.Key != StepAwaitingPayment || s.FeeEUR != 450 {
		t.Fatalf("next step: got %+v, want awaiting_payment of EUR 450", s)
	}
	if got := h.c.AllowedActions(officeScreen, h.now, rules); !slices.Equal(got, []Action{ActionRecordPayment}) {
		t.Fatalf("the office may: got %v, want only record_payment", got)
	}
	if got := h.c.AllowedActions(applicant, h.now, rules); !slices.Equal(got, []Action{ActionWithdraw}) {
		t.Fatalf("the applicant may: got %v, want only withdraw", got)
	}

	wantErr(t, h.fails(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningAccepted})), domain.Conflict, "fee of EUR 450", "neither paid nor waived")
	paid := PaymentInput{Status: PaymentPaid, Reference: "INV-2025-17"}
	for _, who := range []domain.Actor{applicant, assessorA} {
		wantErr(t, h.fails(who, recordPayment(paid)), domain.Forbidden, "only the EMCC office")
	}
	for field, in := range map[string]PaymentInput{
		"reference": {Status: PaymentPaid},
		"reason":    {Status: PaymentWaived},
		"status":    {Status: "pending", Reference: "x"},
	} {
		wantField(t, h.fails(officeScreen, recordPayment(in)), field)
	}
	for _, ref := range []string{"INV-2025-17\nINV-2025-18", "INV-\u202e71-5202"} { // a forged second line, a reversed reference
		wantField(t, h.fails(officeScreen, recordPayment(PaymentInput{Status: PaymentPaid, Reference: ref})), "reference")
	}

	wantTypes(t, h.do(officeScreen, recordPayment(paid)), EventPaymentRecorded)
	h.wantState(StateSubmitted)
	if p := h.c.Payment; p == nil || p.Status != PaymentPaid || p.Reference != "INV-2025-17" || p.AmountEUR != 450 || p.By != officeScreen.ID || !p.At.Equal(h.now) {
		t.Fatalf("payment: got %+v, want paid EUR 450 with its reference, by the office, now", p)
	}
	wantErr(t, h.fails(officeScreen, recordPayment(paid)), domain.Conflict, `state "submitted"`)

	h.do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("add a reference")}))
	h.do(applicant, submitCmd(rules))
	h.wantState(StateSubmitted)
}

// TestAFeeCanBeWaived: the office waives the fee with a reason, and the
// case goes on to screening.
func TestAFeeCanBeWaived(t *testing.T) {
	h := given(t, SchemeEIA, ready)
	rules := withFee(h)
	h.do(applicant, submitCmd(rules))
	h.do(officeScreen, recordPayment(PaymentInput{Status: PaymentWaived, Reason: seal("hardship")}))
	h.wantState(StateSubmitted)
	if p := h.c.Payment; p == nil || p.Status != PaymentWaived || string(p.Reason.Data) != "hardship" || p.Reference != "" {
		t.Fatalf("payment: got %+v, want waived for hardship", p)
	}
	h.do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningAccepted}))
	h.wantState(StateAwaitingAssessment)
}

// TestNoFeeSetChangesNothing: under rules that set no fee (the shipped
// ones, or a fee set at other levels only), a submitted case goes straight
// to screening and there is no payment to record.
func TestNoFeeSetChangesNothing(t *testing.T) {
	h := given(t, SchemeEIA, ready)
	other := withFee(h)
	fee := &other[len(other)-1].Rules[slices.IndexFunc(other[len(other)-1].Rules, func(r Rule) bool { return r.Name == RuleFee })]
	delete(fee.Values, framework.Practitioner)
	for name, rules := range map[string]RuleSets{"shipped": h.rules, "other levels only": other} {
		h := given(t, SchemeEIA, ready)
		wantTypes(t, h.do(applicant, submitCmd(rules)), EventCaseSubmitted)
		h.wantState(StateSubmitted)
		if h.c.Fee != 0 || h.c.Next(h.now).Key != StepSubmitted {
			t.Fatalf("%s: fee %v, next %v; want none and screening", name, h.c.Fee, h.c.Next(h.now).Key)
		}
		wantErr(t, h.fails(officeScreen, recordPayment(PaymentInput{Status: PaymentPaid, Reference: "x"})), domain.Conflict, "record payment")
	}
}

// TestACasePinnedBeforeTheFeeIsUnaffected: a case submitted before the
// office set a fee, returned and resubmitted after, keeps its pinned rules
// and owes nothing.
func TestACasePinnedBeforeTheFeeIsUnaffected(t *testing.T) {
	h := given(t, SchemeEIA, submitted)
	h.do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("add a reference")}))
	h.later(time.Hour)
	h.do(applicant, submitCmd(withFee(h)))
	h.wantState(StateSubmitted)
	if h.c.RuleSetVersion != DefaultEIAID || h.c.Fee != 0 {
		t.Fatalf("resubmitted under %s owing %v, want %s and no fee", h.c.RuleSetVersion, h.c.Fee, DefaultEIAID)
	}
}

// TestTheServiceLevelStartsOnceTheFeeIsPaid: the EMCC's processing starts
// once the fee is paid, so the service level's clock (ServiceStart, and the
// decision expected by it) starts at the payment recorded after the
// submission: none while the fee awaits, the payment's time once paid, the
// later submission after a return; without a fee, the submission.
func TestTheServiceLevelStartsOnceTheFeeIsPaid(t *testing.T) {
	const sla = 91 * 24 * time.Hour
	h := given(t, SchemeEIA, ready)
	rules := withFee(h)
	h.do(applicant, submitCmd(rules))
	submitted := h.c.SubmittedAt
	if got := h.c.ServiceStart(); !got.IsZero() {
		t.Fatalf("awaiting payment: the clock started at %v, want not yet", got)
	}
	if due, ok := h.c.DecisionExpectedBy(sla); ok {
		t.Fatalf("awaiting payment: a decision expected by %v, want none", due)
	}
	h.later(40*24*time.Hour).do(officeScreen, recordPayment(PaymentInput{Status: PaymentPaid, Reference: "INV-7"}))
	paid := h.now
	if got, due := h.c.ServiceStart(), paid.Add(sla); !got.Equal(paid) || !mustDue(t, h.c, sla).Equal(due) {
		t.Fatalf("paid 40 days after the submission (%v): the clock starts at %v, want the payment's %v", submitted, got, paid)
	}
	h.later(time.Hour).do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("add a reference")}))
	h.later(24*time.Hour).do(applicant, submitCmd(rules))
	if got := h.c.ServiceStart(); !got.Equal(h.now) {
		t.Fatalf("resubmitted after the payment: the clock starts at %v, want the resubmission's %v", got, h.now)
	}

	free := given(t, SchemeEIA, ready)
	free.do(applicant, submitCmd(free.rules))
	if got := free.c.ServiceStart(); !got.Equal(free.c.SubmittedAt) || got.IsZero() {
		t.Fatalf("no fee: the clock starts at %v, want the submission's %v", got, free.c.SubmittedAt)
	}
}

func mustDue(t *testing.T, c *Case, sla time.Duration) time.Time {
	t.Helper()
	due, ok := c.DecisionExpectedBy(sla)
	if !ok {
		t.Fatal("no decision expected")
	}
	return due
}
