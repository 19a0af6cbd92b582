package accreditation

import (
	"slices"
	"testing"

	"github.com/emcc/accredit/domain"
)

// TestStatesInProgress pins the one definition of a case in progress, of
// the office's queue, of a case with its applicant and of one that can still
// be withdrawn, state by state: the queue, the assessors' own cases, the
// overdue count, the retention policy, the checklist and the action table
// all ask these.
func TestStatesInProgress(t *testing.T) {
	want := map[State]struct{ inProgress, queued, withApplicant, withdrawable bool }{
		StateDraft:                {false, false, true, true},
		StateAwaitingPayment:      {true, true, false, true},
		StateSubmitted:            {true, true, false, true},
		StateReturned:             {true, false, true, true},
		StateAwaitingAssessment:   {true, true, false, true},
		StateInAssessment:         {true, true, false, true},
		StateInformationRequested: {true, true, false, true},
		StateModeration:           {true, true, false, true},
		StateAwaitingDecision:     {true, true, false, true},
		StateAwarded:              {false, false, false, false},
		StateNotAwarded:           {false, false, false, false},
		StateAppealed:             {true, true, false, false},
		StateWithdrawn:            {false, false, false, false},
	}
	for _, s := range States {
		w, ok := want[s]
		if !ok {
			t.Errorf("state %q: not in this table; say whether it is in progress and queued", s)
			continue
		}
		if got := s.InProgress(); got != w.inProgress {
			t.Errorf("%q.InProgress(): got %v, want %v", s, got, w.inProgress)
		}
		if got := s.Queued(); got != w.queued {
			t.Errorf("%q.Queued(): got %v, want %v", s, got, w.queued)
		}
		if got := s.WithApplicant(); got != w.withApplicant {
			t.Errorf("%q.WithApplicant(): got %v, want %v", s, got, w.withApplicant)
		}
		for _, a := range []Action{ActionUpdatePortfolio, ActionSubmit} {
			if got := slices.Contains(AllowedIn(s), a); got != w.withApplicant {
				t.Errorf("%s allowed in %q: got %v, want %v (with its applicant)", a, s, got, w.withApplicant)
			}
		}
		if got := slices.Contains(AllowedIn(s), ActionWithdraw); got != w.withdrawable {
			t.Errorf("withdraw allowed in %q: got %v, want %v", s, got, w.withdrawable)
		}
	}
	if State("").InProgress() || State("").Queued() {
		t.Errorf("the zero state: got in progress or queued, want neither")
	}
}

// TestStillOpen pins what keeps an applicant's data from the retention
// policy: a case in progress but not waiting for its applicant, or an
// active accreditation, even on an appealed case.
func TestStillOpen(t *testing.T) {
	t.Run("draft: not open", func(t *testing.T) {
		if h := given(t, SchemeEIA, opened); h.c.StillOpen() {
			t.Fatalf("a draft: got open, want not")
		}
	})
	t.Run("submitted: open", func(t *testing.T) {
		if h := given(t, SchemeEIA, submitted); !h.c.StillOpen() {
			t.Fatalf("a submitted case: got not open, want open")
		}
	})
	t.Run("refused: not open; appealed: open", func(t *testing.T) {
		h := givenDecided(t, refusal())
		if h.c.StillOpen() {
			t.Fatalf("refused: got open, want not")
		}
		h.do(applicant, with((*Case).Appeal, grounds()))
		if !h.c.StillOpen() {
			t.Fatalf("appealed: got not open, want open")
		}
	})
	t.Run("awarded: open while the accreditation is active, not once it expired", func(t *testing.T) {
		h := given(t, SchemeEIA, awarded)
		if !h.c.StillOpen() {
			t.Fatalf("awarded, active: got not open, want open")
		}
		h.now = h.c.Accreditation.ValidUntil
		h.do(domain.System, expireCmd())
		if h.c.StillOpen() {
			t.Fatalf("awarded, expired: got open, want not")
		}
	})
	t.Run("returned to its applicant: not open (asked only after years without activity)", func(t *testing.T) {
		h := given(t, SchemeEIA, submitted)
		h.do(officeScreen, with((*Case).Screen, ScreenInput{Outcome: ScreeningReturned, Reason: seal("Add the reference.")}))
		if h.c.State != StateReturned || h.c.StillOpen() {
			t.Fatalf("returned: state %s, open %v; want returned and not open", h.c.State, h.c.StillOpen())
		}
	})
	t.Run("withdrawn: not open", func(t *testing.T) {
		h := given(t, SchemeEIA, submitted)
		h.do(applicant, with((*Case).Withdraw, WithdrawInput{}))
		if h.c.StillOpen() {
			t.Fatalf("withdrawn: got open, want not")
		}
	})
}
