package accreditation

import (
	"slices"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/framework"
)

func unassign(role AssessorRole, reason string) command {
	in := UnassignInput{Role: role}
	if reason != "" {
		in.Reason = seal(reason)
	}
	return with((*Case).Unassign, in)
}

func reassign(role AssessorRole, to domain.Actor, reason string) command {
	in := ReassignInput{Role: role, Profile: profile(to)}
	if reason != "" {
		in.Reason = seal(reason)
	}
	return with((*Case).Reassign, in)
}

// The office reassigns or unassigns an assessor or a verifier, with a
// reason (issue 15 item 5).
func TestUnassign(t *testing.T) {
	t.Run("in assessment: back to awaiting assessment, the holder loses sight and cannot claim it back", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantTypes(t, h.do(officeScreen, unassign(RoleVerifier, "on leave")), EventAssessorUnassigned)
		h.wantState(StateAwaitingAssessment)
		if h.c.Assignments.Holds(RoleVerifier) {
			t.Fatalf("verifier: got %+v, want none", h.c.Assignments)
		}
		if got := h.c.Next(h.now); got.Key != StepAwaitingAssessment || got.Role != RoleVerifier {
			t.Fatalf("next step: got %+v, want the verifier to be assigned", got)
		}
		p := profile(assessorB)
		if h.c.CanSee(assessorB, &p) {
			t.Fatalf("the verifier taken off still sees the case")
		}
		wantErr(t, h.fails(assessorB, with((*Case).Claim, ClaimInput{Profile: p})), domain.Unprocessable, "took you off")
		if !h.c.Involved(assessorB.ID) {
			t.Fatalf("the verifier taken off is no longer involved: got parts %v", h.c.partsOf(assessorB.ID))
		}
		// Another takes the role from the queue; the case is in assessment again.
		h.do(assessorC, with((*Case).Claim, ClaimInput{Profile: profile(assessorC)}))
		h.wantState(StateInAssessment)
		if got := h.c.Assignments.Holder(RoleVerifier); got != assessorC.ID {
			t.Fatalf("verifier: got %q, want %q", got, assessorC.ID)
		}
	})
	t.Run("awaiting assessment: the one role held is emptied", func(t *testing.T) {
		h := given(t, SchemeEIA, accepted)
		h.do(officeScreen, with((*Case).Assign, AssignInput{Role: RoleAssessor, Profile: profile(assessorA)}))
		h.do(officeScreen, unassign(RoleAssessor, "conflict found"))
		h.wantState(StateAwaitingAssessment)
		if h.c.Assignments.Len() != 0 {
			t.Fatalf("assignments: got %v, want none", h.c.Assignments)
		}
		if got := h.c.AllowedActions(officeScreen, h.now, h.rules); !slices.Equal(got, []Action{ActionAssign}) {
			t.Fatalf("office's actions with no role held: got %v, want [assign]", got)
		}
		// The office may give it back to them.
		h.do(officeScreen, with((*Case).Assign, AssignInput{Role: RoleAssessor, Profile: profile(assessorA)}))
	})
	t.Run("the event records the holder and the reason", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		h.do(officeScreen, unassign(RoleAssessor, "ill"))
		var d AssessorUnassigned
		mustUnmarshal(t, h.log[len(h.log)-1].Data, &d)
		if d.Role != RoleAssessor || d.UserID != assessorA.ID || string(d.Reason.Data) != "ill" {
			t.Fatalf("payload: got %+v", d)
		}
	})
	for _, tc := range []struct {
		name  string
		stage stage
		actor domain.Actor
		cmd   command
		code  domain.Code
		part  string
	}{
		{"reason missing", inAssessment, officeScreen, unassign(RoleAssessor, ""), domain.Invalid, "reason"},
		{"unknown role", inAssessment, officeScreen, unassign("observer", "r"), domain.Invalid, "role"},
		{"an assessor", inAssessment, assessorA, unassign(RoleVerifier, "r"), domain.Forbidden, "only the EMCC office"},
		{"the applicant", inAssessment, applicant, unassign(RoleVerifier, "r"), domain.Forbidden, "only the EMCC office"},
		{"no one holds a role", accepted, officeScreen, unassign(RoleAssessor, "r"), domain.Conflict, "no one holds a role"},
		{"before screening", submitted, officeScreen, unassign(RoleAssessor, "r"), domain.Conflict, `"submitted"`},
		{"awaiting the decision", awaitingDecision, officeScreen, unassign(RoleAssessor, "r"), domain.Conflict, `"awaiting_decision"`},
	} {
		t.Run(string(tc.code)+"/"+tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, tc.stage)
			err := h.fails(tc.actor, tc.cmd)
			if tc.code == domain.Invalid {
				wantField(t, err, tc.part)
				return
			}
			wantErr(t, err, tc.code, tc.part)
		})
	}
	t.Run("Conflict/the role is empty", func(t *testing.T) {
		h := given(t, SchemeEIA, accepted)
		h.do(officeScreen, with((*Case).Assign, AssignInput{Role: RoleAssessor, Profile: profile(assessorA)}))
		wantErr(t, h.fails(officeScreen, unassign(RoleVerifier, "r")), domain.Conflict, "no one holds the verifier role")
	})
	t.Run("Conflict/the holder has assessed: the assessment stands as theirs", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		h.do(assessorA, assess(RecommendAward, ""))
		wantErr(t, h.fails(officeScreen, unassign(RoleAssessor, "r")), domain.Conflict, "already submitted an assessment")
		wantErr(t, h.fails(officeScreen, reassign(RoleAssessor, assessorC, "r")), domain.Conflict, "already submitted an assessment")
		if h.c.RoleChangeable(RoleAssessor) == nil || h.c.RoleChangeable(RoleVerifier) != nil {
			t.Fatalf("RoleChangeable: want the assessor refused and the verifier allowed")
		}
		// The other role can still change; the case waits for it and keeps the assessment.
		h.do(officeScreen, unassign(RoleVerifier, "r"))
		h.wantState(StateAwaitingAssessment)
		h.do(officeScreen, with((*Case).Assign, AssignInput{Role: RoleVerifier, Profile: profile(assessorC)}))
		h.wantState(StateInAssessment)
		h.do(assessorC, assess(RecommendAward, ""))
		h.wantState(StateAwaitingDecision)
		if got := h.c.Assessments.Assessor.UserID; got != assessorA.ID {
			t.Fatalf("assessor's assessment: got by %q, want %q", got, assessorA.ID)
		}
	})
	t.Run("Conflict/the holder has recorded the interview", func(t *testing.T) {
		h := seniorCase(t, inAssessment)
		h.do(officeScreen, with((*Case).ScheduleInterview, InterviewInput{At: h.now.Add(time.Hour), Place: seal("online")}))
		h.later(2 * time.Hour)
		h.do(assessorA, with((*Case).RecordInterview, InterviewRecordInput{Notes: seal("n")}))
		wantErr(t, h.fails(officeScreen, unassign(RoleAssessor, "r")), domain.Conflict, "recorded the interview")
		h.do(officeScreen, reassign(RoleVerifier, assessorC, "r"))
	})
}

func TestReassign(t *testing.T) {
	t.Run("in assessment: one commit, the case stays in assessment with the new holder", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		for who, want := range map[domain.Actor]bool{assessorA: false, assessorB: false, assessorC: true, applicant: false} {
			if got := h.c.CanReassign(profile(who), RoleAssessor) == nil; got != want {
				t.Fatalf("CanReassign(%s): got %v, want %v", who.ID, got, want)
			}
		}
		wantTypes(t, h.do(officeScreen, reassign(RoleAssessor, assessorC, "workload")), EventAssessorUnassigned, EventAssessorAssigned)
		h.wantState(StateInAssessment)
		a, _ := h.c.Assignments.Get(RoleAssessor)
		if a.UserID != assessorC.ID || a.How != HowAssigned || a.By != officeScreen.ID {
			t.Fatalf("assessor: got %+v, want %s assigned by %s", a, assessorC.ID, officeScreen.ID)
		}
		old, nw := profile(assessorA), profile(assessorC)
		if h.c.CanSee(assessorA, &old) || !h.c.CanSee(assessorC, &nw) {
			t.Fatalf("sight: the old assessor sees it %v (want false), the new one %v (want true)", h.c.CanSee(assessorA, &old), h.c.CanSee(assessorC, &nw))
		}
		wantErr(t, h.fails(assessorA, assess(RecommendAward, "")), domain.Forbidden)
		h.do(assessorC, assess(RecommendAward, ""))
		h.do(assessorB, assess(RecommendAward, ""))
		h.wantState(StateAwaitingDecision)
		if got := h.c.Assessments.Assessor.UserID; got != assessorC.ID {
			t.Fatalf("assessment by %q, want %q", got, assessorC.ID)
		}
		// Taken off, the old assessor stays involved (so never reviews an appeal of it).
		if !h.c.Involved(assessorA.ID) {
			t.Fatalf("the assessor taken off is not involved")
		}
	})
	t.Run("awaiting assessment: the one role held changes hands", func(t *testing.T) {
		h := given(t, SchemeEIA, accepted)
		h.do(officeScreen, with((*Case).Assign, AssignInput{Role: RoleVerifier, Profile: profile(assessorB)}))
		h.do(officeScreen, reassign(RoleVerifier, assessorC, "r"))
		h.wantState(StateAwaitingAssessment)
		if got := h.c.Assignments.Holder(RoleVerifier); got != assessorC.ID || h.c.Assignments.Len() != 1 {
			t.Fatalf("assignments: got %+v, want only the verifier %s", h.c.Assignments, assessorC.ID)
		}
	})
	withConflict := profile(assessorC)
	withConflict.Conflicts = []string{applicant.ID}
	foundation := profile(assessorC)
	foundation.MaxLevel = framework.Foundation
	for _, tc := range []struct {
		name string
		in   ReassignInput
		code domain.Code
		part string
	}{
		{"reason missing", ReassignInput{Role: RoleAssessor, Profile: profile(assessorC)}, domain.Invalid, "reason"},
		{"no one named", ReassignInput{Role: RoleAssessor, Reason: seal("r")}, domain.Invalid, "assessor_id"},
		{"the same person", ReassignInput{Role: RoleAssessor, Profile: profile(assessorA), Reason: seal("r")}, domain.Invalid, "assessor_id"},
		{"unknown role", ReassignInput{Role: "observer", Profile: profile(assessorC), Reason: seal("r")}, domain.Invalid, "role"},
		{"the other role's holder", ReassignInput{Role: RoleAssessor, Profile: profile(assessorB), Reason: seal("r")}, domain.Unprocessable, "two different people"},
		{"the applicant", ReassignInput{Role: RoleAssessor, Profile: profile(applicant), Reason: seal("r")}, domain.Unprocessable, "applicant"},
		{"a conflict of interest", ReassignInput{Role: RoleAssessor, Profile: withConflict, Reason: seal("r")}, domain.Unprocessable, "conflict of interest"},
		{"qualified below the case level", ReassignInput{Role: RoleAssessor, Profile: foundation, Reason: seal("r")}, domain.Unprocessable, "below the case level"},
	} {
		t.Run(string(tc.code)+"/"+tc.name, func(t *testing.T) {
			h := given(t, SchemeEIA, inAssessment)
			err := h.fails(officeScreen, with((*Case).Reassign, tc.in))
			if tc.code == domain.Invalid {
				wantField(t, err, tc.part)
				return
			}
			wantErr(t, err, tc.code, tc.part)
			if tc.code == domain.Unprocessable && err.Extra["reasons"] == nil {
				t.Fatalf("Extra[reasons]: got none, want the reasons as Assign gives them")
			}
		})
	}
	t.Run("Forbidden/an assessor", func(t *testing.T) {
		h := given(t, SchemeEIA, inAssessment)
		wantErr(t, h.fails(assessorA, reassign(RoleVerifier, assessorC, "r")), domain.Forbidden)
	})
}
