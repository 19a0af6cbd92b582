package accreditation

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/framework"
)

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("marshal %T: %v", v, err)
	}
	return string(b)
}

// samplePayloads holds one payload of every event type, every field set.
func samplePayloads() map[EventType]any {
	at := time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	return map[EventType]any{
		EventCaseOpened: &CaseOpened{CaseID: "c-1", Scheme: SchemeEQA, Level: framework.Practitioner, Language: "nl",
			ApplicantID: "app-1", ProgrammeName: seal("name"), ProgrammeProvider: seal("provider")},
		EventPortfolioUpdated: &PortfolioUpdated{Portfolio: Portfolio{
			FirstPracticeDate: NewDate(2019, 2, 3), ClientHours: 120.5, ClientCount: 11, CPDHoursLastYear: 17,
			SupervisionHoursLastYear: 4.5, FeedbackItemsLast12m: 5, ReflectionItemsLast12m: 6, ProfessionalBodyMember: true,
			ContactHours: 70, CompletedCycles: 2,
			Curriculum: []CurriculumItem{{Category: 1, Indicators: []int{1, 31}, Description: seal("module")}},
		}},
		EventEvidenceAdded: &EvidenceAdded{EvidenceID: "ev-1", Kind: KindCPDRecord, Title: seal("t"), FileName: seal("f.pdf"),
			ContentType: "application/pdf", Size: 99, SHA256: strings.Repeat("0f", 32), Object: "o-1",
			Categories: []int{1, 2}, Indicators: []int{1}},
		EventEvidenceRemoved: &EvidenceRemoved{EvidenceID: "ev-1"},
		EventEvidenceEdited: &EvidenceEdited{EvidenceID: "ev-1", Kind: KindLearningJournal, Title: seal("t2"),
			Categories: []int{1, 3}, Indicators: []int{1}},
		EventSelfAssessmentUpdated: &SelfAssessmentUpdated{Category: 4, Statement: seal("s")},
		EventCaseSubmitted: &CaseSubmitted{RuleSetVersion: "eia-2024-1", Resubmission: true, Eligibility: []RuleResult{
			{Rule: RuleClientHours, Required: 100.0, Given: 120.5, Met: true}, {Rule: RuleProfessionalBody, Required: true, Given: true, Met: true},
		}, Declarations: []DeclarationConfirmed{{Key: DeclarationDiversity, Version: 2, ConfirmedAt: at}}, FeeEUR: 450.5, Interview: new(true)},
		EventPaymentRecorded:  &PaymentRecorded{Status: PaymentWaived, AmountEUR: 450.5, Reference: "INV-2027-001", Reason: seal("r")},
		EventCaseScreened:     &CaseScreened{Outcome: ScreeningReturned, Reason: seal("r")},
		EventAssessorAssigned: &AssessorAssigned{Role: RoleVerifier, UserID: "ass-2", How: HowClaimed},
		EventAssessmentSubmitted: &AssessmentSubmitted{Role: RoleAssessor, Ratings: []CategoryRating{
			{Category: 1, Rating: RatingPartiallyEvidenced, Indicators: []int{1, 2}, Notes: seal("n")},
		}, Areas: []AreaRating{{Area: AreaQualitySystems, Rating: RatingEvidenced, Notes: seal("qa")}}, Recommendation: RecommendAwardLower, Level: framework.Foundation, Rationale: seal("r")},
		EventInformationRequested: &InformationRequested{RequestID: "1", Questions: seal("q"), ReturnTo: StateModeration},
		EventInformationProvided:  &InformationProvided{RequestID: "1", Answer: seal("a")},
		EventInterviewScheduled:   &InterviewScheduled{At: time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC), Place: Place{Sealed: seal("https://meet.example/emcc")}},
		EventInterviewRecorded: &InterviewRecorded{Role: RoleVerifier, Notes: seal("n"),
			Observations: []CategoryNote{{Category: 3, Notes: seal("o")}}},
		EventModerationRequired: &ModerationRequired{AssessorRecommendation: RecommendAward, AssessorLevel: framework.Practitioner,
			VerifierRecommendation: RecommendAwardLower, VerifierLevel: framework.Foundation},
		EventCaseModerated: &CaseModerated{Recommendation: RecommendAwardLower, Level: framework.Foundation, Rationale: seal("r")},
		EventDecisionMade: &DecisionMade{Number: 2, Outcome: OutcomeAwarded, Level: framework.Foundation, Rationale: seal("r"), Panel: []PanelVote{{UserID: "office-2", Vote: VoteFor}},
			Appeal: &AppealTerms{WithinDays: 30, Allowed: 1}},
		EventAccreditationAwarded: &AccreditationAwarded{AccreditationID: "acc-1", Level: framework.Foundation, AwardedAt: at, ValidUntil: at.AddDate(5, 0, 0)},
		EventAppealFiled:          &AppealFiled{DecisionNumber: 2, Grounds: seal("g")},
		EventAppealDecided:        &AppealDecided{DecisionNumber: 2, Outcome: AppealUpheld, Rationale: seal("r"), ReturnTo: ReturnToDecision},
		EventCaseWithdrawn:        &CaseWithdrawn{FromState: StateModeration, Reason: seal("r"), Cause: ApplicantErased},
		EventAccreditationRenewed: &AccreditationRenewed{AccreditationID: "acc-1", PreviousValidUntil: at, ValidUntil: at.AddDate(5, 0, 0),
			ContinuedPractice: true, SupervisionHoursLastYear: 5, CPDHoursLastYear: 20, EthicsCodeAdherence: true, RuleSetVersion: "eia-2024-1",
			Declarations: []DeclarationConfirmed{{Key: DeclarationCodeOfEthics, Version: 1, ConfirmedAt: at}}},
		EventAccreditationExpired: &AccreditationExpired{AccreditationID: "acc-1", ValidUntil: at},
		EventRenewalSubmitted: &RenewalSubmitted{AccreditationID: "acc-1", PeriodUntil: at, RuleSetVersion: "eia-2024-1",
			Years: []RenewalYear{{PracticeHours: 30, SupervisionHours: 4, CPDHours: 16}}, Reflection: seal("r"),
			Aims: []AimStatement{{Aim: AimStillRun, Statement: seal("s")}}, Checks: []RuleResult{{Rule: RuleRenewalPractice, Required: 100.0, Given: 150.0, Met: true}},
			Declarations: []DeclarationConfirmed{{Key: DeclarationCodeOfEthics, Version: 1, ConfirmedAt: at}}, Resubmission: true},
		EventAssessorUnassigned:     &AssessorUnassigned{Role: RoleVerifier, UserID: "ass-2", Reason: seal("r")},
		EventRenewalAssigned:        &RenewalAssigned{AccreditationID: "acc-1", AssessorID: "ass-3"},
		EventRenewalAssessed:        &RenewalAssessed{AccreditationID: "acc-1", Outcome: RenewalReturn, Rationale: seal("r")},
		EventAccreditationRevoked:   &AccreditationRevoked{AccreditationID: "acc-1", Reason: seal("r")},
		EventAccreditationWithdrawn: &AccreditationWithdrawn{AccreditationID: "acc-1", Cause: WithdrawnByOffice, Reason: seal("r")},
	}
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkKeys fails on a JSON object key that is not snake_case.
func checkKeys(t *testing.T, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !snakeCase.MatchString(k) {
				t.Errorf("%s: key %q is not snake_case", path, k)
			}
			checkKeys(t, path+"."+k, x)
		}
	case []any:
		for _, x := range v {
			checkKeys(t, path+"[]", x)
		}
	}
}

func TestEventJSONRoundTrip(t *testing.T) {
	samples := samplePayloads()
	types := EventTypes()
	slices.Sort(types)
	if len(types) != 30 {
		t.Fatalf("event types: got %d, want 30", len(types))
	}
	for _, typ := range types {
		t.Run(string(typ), func(t *testing.T) {
			if !strings.HasPrefix(string(typ), StreamPrefix+".") || SchemaVersion(typ) != 1 {
				t.Fatalf("type %q: want the %q prefix and schema version 1, got version %d", typ, StreamPrefix, SchemaVersion(typ))
			}
			in, ok := samples[typ]
			if !ok {
				t.Fatalf("no sample payload for %s", typ)
			}
			if got := eventOf[reflect.TypeOf(in).Elem()]; got != typ {
				t.Fatalf("payload %T is registered for %q, want %q", in, got, typ)
			}
			b := mustJSON(t, in)
			out := reflect.New(reflect.TypeOf(in).Elem()).Interface()
			mustUnmarshal(t, []byte(b), out)
			if !reflect.DeepEqual(out, in) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", out, in)
			}
			assertAllFieldsSet(t, string(typ), reflect.ValueOf(in).Elem())
			var generic any
			mustUnmarshal(t, []byte(b), &generic)
			checkKeys(t, string(typ), generic)

			// Apply decodes it (on a case in a state that makes sense or not:
			// appliers never fail).
			c := given(t, SchemeEIA, awarded).c
			e := eventstore.Event{ID: "e", Type: string(typ), SchemaVersion: 1, OccurredAt: time.Now(), Actor: domain.System, Data: json.RawMessage(b)}
			if err := c.Apply(e); err != nil {
				t.Fatalf("apply: %v", err)
			}
		})
	}
	for typ := range samples {
		if SchemaVersion(typ) == 0 {
			t.Errorf("sample for %s, which is not a registered event type", typ)
		}
	}
}

// assertAllFieldsSet fails when a sample leaves a field at its zero value,
// which would let a lost field pass the round trip unnoticed.
func assertAllFieldsSet(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.IsZero() {
			t.Errorf("%s.%s: sample leaves it zero", path, v.Type().Field(i).Name)
		}
	}
}

func TestApplyRejectsUndecodablePayload(t *testing.T) {
	c := given(t, SchemeEIA, opened).c
	before := c.Clone()
	err := c.Apply(eventstore.Event{ID: "bad", Type: string(EventCaseSubmitted), SchemaVersion: 1, Data: json.RawMessage(`{"eligibility":"nope"}`)})
	if err == nil {
		t.Fatalf("got nil, want a decode error")
	}
	if !reflect.DeepEqual(c, before) {
		t.Fatalf("a failed Apply changed the case")
	}
}

func TestApplyIgnoresUnknownTypes(t *testing.T) {
	c := given(t, SchemeEIA, opened).c
	before := c.Clone()
	if err := c.Apply(eventstore.Event{ID: "x", Type: "accreditation.something_new", SchemaVersion: 7, Data: json.RawMessage(`garbage`)}); err != nil {
		t.Fatalf("unknown type: got %v, want nil", err)
	}
	if !reflect.DeepEqual(c, before) {
		t.Fatalf("an unknown event changed the case")
	}
}

// withV0CaseOpened registers, for the test, an upcaster from a v0
// case_opened that called the language "lang", and returns such an event.
func withV0CaseOpened(t *testing.T) eventstore.Event {
	saved := upcasters
	t.Cleanup(func() { upcasters = saved })
	upcasters = map[UpcastKey]Upcaster{
		{EventCaseOpened, 0}: func(data json.RawMessage) (json.RawMessage, error) {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				return nil, err
			}
			m["language"] = m["lang"]
			delete(m, "lang")
			return json.Marshal(m)
		},
	}
	return eventstore.Event{ID: "e1", Type: string(EventCaseOpened), SchemaVersion: 0, OccurredAt: t0, Actor: applicant,
		Data: json.RawMessage(`{"case_id":"c-1","scheme":"EIA","level":"foundation","lang":"nl","applicant_id":"app-1"}`)}
}

// The upcast hook: an old payload is brought to the current version before
// it is applied. No case event has an old version yet (the repository writes
// version 1 at least), so the test registers a v0 -> v1 upcaster of its own:
// a v0 case_opened that called the language "lang".
func TestUpcastOnApply(t *testing.T) {
	v0 := withV0CaseOpened(t)
	t.Run("a v0 event is upcast and applied", func(t *testing.T) {
		c := New("c-1")
		if err := c.Apply(v0); err != nil {
			t.Fatalf("apply v0: %v", err)
		}
		if c.Language != "nl" || c.State != StateDraft {
			t.Fatalf("after upcast: language %q state %q, want nl draft", c.Language, c.State)
		}
	})
	t.Run("a version without an upcaster is an error", func(t *testing.T) {
		e := v0
		e.Type = string(EventCaseWithdrawn)
		if err := New("c-1").Apply(e); err == nil || !strings.Contains(err.Error(), "no upcaster") {
			t.Fatalf("got %v, want a missing-upcaster error", err)
		}
	})
	t.Run("a version newer than the code is an error", func(t *testing.T) {
		e := v0
		e.SchemaVersion = 2
		if err := New("c-1").Apply(e); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("got %v, want a too-new error", err)
		}
	})
}

func TestDateJSON(t *testing.T) {
	b := mustJSON(t, Portfolio{FirstPracticeDate: NewDate(2019, 2, 3)})
	if want := `{"first_practice_date":"2019-02-03"}`; b != want {
		t.Fatalf("json: got %s, want %s", b, want)
	}
	if b := mustJSON(t, Portfolio{}); b != `{}` {
		t.Fatalf("json of an empty portfolio: got %s, want {}", b)
	}
	var p Portfolio
	if err := json.Unmarshal([]byte(`{"first_practice_date":"2019-13-01"}`), &p); err == nil {
		t.Fatalf("month 13: got nil, want an error")
	}
	mustUnmarshal(t, []byte(`{"first_practice_date":"2019-02-03"}`), &p)
	if p.FirstPracticeDate != NewDate(2019, 2, 3) {
		t.Fatalf("date: got %s, want 2019-02-03", p.FirstPracticeDate)
	}
}

// TestDateJSONIsAsTheStringsJSON: Date writes and reads its JSON without a
// second encoder or decoder, with the bytes, values and errors of the
// string's JSON as encoding/json reads and writes it.
func TestDateJSONIsAsTheStringsJSON(t *testing.T) {
	for _, d := range []Date{{}, NewDate(2019, 2, 3), NewDate(1, 1, 1), NewDate(9999, 12, 31), NewDate(12345, 6, 7), NewDate(-44, 3, 15)} {
		want, _ := json.Marshal(d.String())
		if got, err := d.MarshalJSON(); err != nil || string(got) != string(want) {
			t.Errorf("%v: wrote %s (%v), want %s", d, got, err, want)
		}
	}
	for _, in := range []string{`"2019-02-03"`, `""`, `null`, `"2019-13-01"`, `"2019-2-3"`, `"\u0032019-02-03"`, `"2019-02-0\u0033"`,
		`"2019-02-03 "`, `"é"`, "\"\xff\"", `"\"`, `12`, `{}`, `"0000-01-01"`, `"\u003c"`} {
		var want Date
		var s string
		wantErr := json.Unmarshal([]byte(in), &s)
		if wantErr == nil && s != "" {
			want, wantErr = ParseDate(s)
		}
		var got Date
		err := got.UnmarshalJSON([]byte(in))
		if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%s: read %v (%v), want %v (%v)", in, got, err, want, wantErr)
		}
	}
}

// TestStoredEventNames: the stored names are the contract with every store
// written so far; a renamed constant must fail here, not on a replay.
func TestStoredEventNames(t *testing.T) {
	want := []string{
		"accreditation.accreditation_awarded", "accreditation.accreditation_expired", "accreditation.accreditation_renewed",
		"accreditation.accreditation_revoked", "accreditation.accreditation_withdrawn", "accreditation.appeal_decided",
		"accreditation.appeal_filed", "accreditation.assessment_submitted", "accreditation.assessor_assigned",
		"accreditation.assessor_unassigned",
		"accreditation.case_moderated", "accreditation.case_opened", "accreditation.case_screened",
		"accreditation.case_submitted", "accreditation.case_withdrawn", "accreditation.decision_made",
		"accreditation.evidence_added", "accreditation.evidence_edited", "accreditation.evidence_removed", "accreditation.information_provided",
		"accreditation.information_requested", "accreditation.interview_recorded", "accreditation.interview_scheduled",
		"accreditation.moderation_required", "accreditation.payment_recorded", "accreditation.portfolio_updated",
		"accreditation.renewal_assessed", "accreditation.renewal_assigned", "accreditation.renewal_submitted",
		"accreditation.self_assessment_updated",
	}
	var got []string
	for _, typ := range EventTypes() {
		got = append(got, string(typ))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("stored event names:\n got %v\nwant %v", got, want)
	}
}

// TestEventRegistry: each payload type belongs to one event type, and emit
// finds the type from the payload alone.
func TestEventRegistry(t *testing.T) {
	if len(eventOf) != len(events) {
		t.Fatalf("%d event types but %d payload types: two types share a payload", len(events), len(eventOf))
	}
	for typ, def := range events {
		if def.typ != typ || eventOf[def.payload] != typ {
			t.Errorf("%s: registered as %q with payload %s, which maps back to %q", typ, def.typ, def.payload, eventOf[def.payload])
		}
	}
	t.Run("emit names the payload's type and version", func(t *testing.T) {
		p := AppealFiled{DecisionNumber: 3}
		ch := emit(p)
		if ch.Type != string(EventAppealFiled) || ch.SchemaVersion != 1 || !reflect.DeepEqual(ch.Data, p) {
			t.Fatalf("got %+v, want type %s version 1 with the payload", ch, EventAppealFiled)
		}
	})
	mustPanic := func(t *testing.T, what string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Fatalf("%s: got no panic", what)
			}
		}()
		f()
	}
	t.Run("an unregistered payload is refused", func(t *testing.T) {
		mustPanic(t, "emit of a payload not registered", func() { emit(struct{ X int }{1}) })
	})
	t.Run("a type or a payload registered twice is refused", func(t *testing.T) {
		mustPanic(t, "one type, two payloads", func() {
			registry(on(EventAppealFiled, 1, (*Case).onAppealFiled), on(EventAppealFiled, 1, (*Case).onAppealDecided))
		})
		mustPanic(t, "one payload, two types", func() {
			registry(on(EventAppealFiled, 1, (*Case).onAppealFiled), on(EventAppealDecided, 1, (*Case).onAppealFiled))
		})
	})
}
