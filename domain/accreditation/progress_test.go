package accreditation

import (
	"testing"

	"github.com/emcc/accredit/domain"
)

// TestStatesInProgress pins the one definition of a case in progress, and of
// the office's queue, state by state: the queue, the assessors' own cases,
// the overdue count and the retention policy all ask these.
func TestStatesInProgress(t *testing.T) {
	want := map[State]struct{ inProgress, queued bool }{
		StateDraft:                {false, false},
		StateSubmitted:            {true, true},
		StateReturned:             {true, false},
		StateAwaitingAssessment:   {true, true},
		StateInAssessment:         {true, true},
		StateInformationRequested: {true, true},
		StateModeration:           {true, true},
		StateAwaitingDecision:     {true, true},
		StateAwarded:              {false, false},
		StateNotAwarded:           {false, false},
		StateAppealed:             {true, true},
		StateWithdrawn:            {false, false},
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
	}
	if State("").InProgress() || State("").Queued() {
		t.Errorf("the zero state: got in progress or queued, want neither")
	}
}

// TestStillOpen pins what keeps an applicant's data from the retention
// policy: a case in progress, or an active accreditation, even on an
// appealed case.
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
	t.Run("withdrawn: not open", func(t *testing.T) {
		h := given(t, SchemeEIA, submitted)
		h.do(applicant, with((*Case).Withdraw, WithdrawInput{}))
		if h.c.StillOpen() {
			t.Fatalf("withdrawn: got open, want not")
		}
	})
}
