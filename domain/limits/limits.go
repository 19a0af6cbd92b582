// Package limits is the one table of input limits: how long a free-text
// field may be (in characters, that is runes), how long a file name may be
// (in bytes, as file systems count), how many items a list may hold and
// which range a number must lie in. The event stream is permanent, so what
// reaches it unchecked stays forever; every field a command records is
// bounded here.
//
// The services check their input against these values before anything is
// sealed or appended, and answer with a domain.Invalid error naming the
// field and the limit. The OpenAPI document (api/openapi/openapi.json)
// publishes the same numbers (maxLength, maxItems, minimum, maximum); a
// test there compares the two, so they cannot drift.
//
// Text that is one line (a name, a title) may hold no control or invisible
// character (OneLine); prose may hold line breaks and tabs and no other
// (MultiLine, with the length in Prose).
//
// Lists of categories (self-assessment statements, assessment ratings,
// evidence categories) are refused when a category repeats: which of two
// statements for one category would count is not ours to guess. Lists that
// are sets (an assessor's schemes, languages and conflicts, indicators
// cited) are de-duplicated.
//
// It imports only the domain package.
package limits

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emcc/accredit/domain"
)

// Limit bounds one kind of field. Exactly one of the kinds is set.
type Limit struct {
	Runes    int     // free text: at most this many characters
	Bytes    int     // a file name: at most this many bytes of UTF-8
	Items    int     // a list: at most this many items
	Min, Max float64 // a number: Min <= v <= Max (when Max > Min)
	// In names where the OpenAPI document publishes it: a component schema
	// and a property path ("SelfAssessmentRequest.categories[].statement").
	// Runes is published as maxLength, Items as maxItems (x-max-items on a
	// multipart field that holds a comma-separated list), Bytes as
	// x-max-name-bytes, a range as minimum and maximum.
	In []string
}

// The limits. Text fields share a few sizes so that forms can say them.
var (
	// Name is a person's name.
	Name = Limit{Runes: 200, In: []string{"RegisterRequest.name", "CreateUserRequest.name"}}
	// Email is an email address (RFC 5321 allows 254 octets in a path).
	Email = Limit{Runes: 254, In: []string{"RegisterRequest.email", "CreateUserRequest.email"}}
	// Short is a title, the name of a programme or its provider, a
	// payment's reference, or where an interview takes place.
	Short = Limit{Runes: 300, In: []string{"OpenCaseRequest.programme.name", "OpenCaseRequest.programme.provider", "EvidenceUpload.title", "EvidenceEditRequest.title", "PaymentRequest.reference",
		"InterviewRequest.place"}}
	// Long is prose: statements, notes, rationales, questions and answers.
	Long = Limit{Runes: 20000, In: []string{
		"PortfolioRequest.curriculum[].description",
		"SelfAssessmentRequest.categories[].statement",
		"ScreeningRequest.reason",
		"AssessmentRequest.ratings[].notes",
		"AssessmentRequest.review_areas[].notes",
		"AssessmentRequest.rationale",
		"InformationRequestRequest.questions",
		"InterviewRecordRequest.notes",
		"InterviewRecordRequest.observations[].notes",
		"InformationResponseRequest.answer",
		"ModerationRequest.rationale",
		"DecisionRequest.rationale",
		"AppealRequest.grounds",
		"AppealDecisionRequest.rationale",
		"RenewalRequest.reflection",
		"RenewalRequest.aims.still_run",
		"RenewalRequest.aims.student_feedback",
		"RenewalRequest.aims.quality_assurance",
		"RenewalRequest.aims.emcc_criteria",
		"RenewalRequest.aims.ethics_code",
		"RenewalAssessmentRequest.rationale",
	}}
	// Reason is why a user is disabled or erased, a case withdrawn, its fee
	// waived, an accreditation revoked or withdrawn, or an assessor taken off
	// a case.
	Reason = Limit{Runes: 2000, In: []string{"ReasonRequest.reason", "OptionalReasonRequest.reason", "ErasureRequest.reason", "PaymentRequest.reason", "ReassignmentRequest.reason"}}
	// Source is where a rule's figures come from: a publication cited.
	Source = Limit{Runes: 500, In: []string{"PublishRuleSetRequest.rules[].source", "PublishRuleSetRequest.declarations[].source"}}
	// Declaration is the text of a declaration an applicant confirms.
	Declaration = Limit{Runes: 2000, In: []string{"PublishRuleSetRequest.declarations[].text.en", "PublishRuleSetRequest.declarations[].text.nl"}}
	// FileName is an evidence file's name.
	FileName = Limit{Bytes: 255, In: []string{"EvidenceUpload.file"}}

	// Categories is a list keyed by competence category: one item each.
	Categories = Limit{Items: 8, In: []string{"SelfAssessmentRequest.categories", "AssessmentRequest.ratings", "EvidenceUpload.categories", "EvidenceEditRequest.categories",
		"InterviewRecordRequest.observations"}}
	// ReviewAreas is an EQA assessment's ratings of the review areas: one
	// item each.
	ReviewAreas = Limit{Items: 5, In: []string{"AssessmentRequest.review_areas"}}
	// Panel is the members of an awarding panel.
	Panel = Limit{Items: 50, In: []string{"DecisionRequest.panel"}}
	// Curriculum is an EQA programme's modules.
	Curriculum = Limit{Items: 100, In: []string{"PortfolioRequest.curriculum"}}
	// Indicators is a list of capability indicators cited.
	Indicators = Limit{Items: 200, In: []string{"PortfolioRequest.curriculum[].indicators", "AssessmentRequest.ratings[].indicators", "EvidenceUpload.indicators", "EvidenceEditRequest.indicators",
		"SelfCheckRequest.ratings"}}
	// Schemes, Languages and Conflicts are an assessor's profile.
	Schemes   = Limit{Items: 2, In: []string{"ProfileRequest.schemes"}}
	Languages = Limit{Items: 20, In: []string{"ProfileRequest.languages"}}
	Conflicts = Limit{Items: 500, In: []string{"ProfileRequest.conflicts"}}

	// Hours is a count of hours over a career or a programme.
	Hours = Limit{Min: 0, Max: 100000, In: []string{"PortfolioRequest.client_hours", "PortfolioRequest.contact_hours"}}
	// HoursInAYear is a count of hours in a year (366 days).
	HoursInAYear = Limit{Min: 0, Max: 8784, In: []string{"PortfolioRequest.cpd_hours_last_year", "PortfolioRequest.supervision_hours_last_year",
		"RenewalRequest.years[].practice_hours", "RenewalRequest.years[].supervision_hours", "RenewalRequest.years[].cpd_hours"}}
	// HoursInAQuarter is a count of hours in a quarter (92 days).
	HoursInAQuarter = Limit{Min: 0, Max: 2208, In: []string{"PortfolioRequest.supervision_hours_by_quarter[]", "RenewalRequest.years[].supervision_hours_by_quarter[]"}}
	// Quarters is the supervision hours of the last four quarters, or of a
	// renewal year's: four numbers (or none, as before there were quarters).
	Quarters = Limit{Items: 4, In: []string{"PortfolioRequest.supervision_hours_by_quarter", "RenewalRequest.years[].supervision_hours_by_quarter"}}
	// Count is a count of clients or items.
	Count = Limit{Min: 0, Max: 100000, In: []string{"PortfolioRequest.client_count", "PortfolioRequest.feedback_items_last_12m", "PortfolioRequest.reflection_items_last_12m"}}
	// Cycles is a count of completed programme cycles.
	Cycles = Limit{Min: 0, Max: 1000, In: []string{"PortfolioRequest.completed_cycles"}}
)

// EarliestPractice is the earliest first-practice date accepted; the latest
// is today.
var EarliestPractice = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// All is every limit, for the test that compares them with the document.
var All = []Limit{Name, Email, Short, Long, Reason, Source, Declaration, FileName, Categories, ReviewAreas, Panel, Curriculum, Indicators,
	Schemes, Languages, Conflicts, Hours, HoursInAYear, HoursInAQuarter, Quarters, Count, Cycles}

// Text reports a field over the Runes (or Bytes) limit, nil when within.
func (l Limit) Text(field, s string) *domain.FieldError {
	switch {
	case l.Runes > 0 && utf8.RuneCountInString(s) > l.Runes:
		return &domain.FieldError{Field: field, Reason: fmt.Sprintf("at most %d characters", l.Runes)}
	case l.Bytes > 0 && len(s) > l.Bytes:
		return &domain.FieldError{Field: field, Reason: fmt.Sprintf("at most %d bytes", l.Bytes)}
	}
	return nil
}

// OneLine reports a text that is one line, such as a name, holding a
// character that breaks it or hides what it says: a control character (a
// line break, a tab, an escape, NUL), a line or paragraph separator, a
// bidi embedding, override or isolate, which shows what follows it
// reordered, or an invisible mark or space (NotOneLine). Prose may hold line
// breaks and tabs (MultiLine); a name shown on the register, a certificate
// or a mail header may not. nil when there is none.
func OneLine(field, s string) *domain.FieldError {
	if strings.ContainsFunc(s, NotOneLine) {
		return &domain.FieldError{Field: field, Reason: "holds an invisible or control character"}
	}
	return nil
}

// NotOneLine reports a character OneLine refuses: a control character, a
// line or paragraph separator, a bidi embedding, override, isolate or mark,
// or an invisible space or joiner that no script needs (the zero-width
// space, the word joiner, the byte order mark), with which "Rene" and
// "Re\u200bne" read the same in the office's lists. The zero-width
// non-joiner and joiner stay: Persian, Indic scripts and emoji need them.
// Names recorded before they were held to one line may hold one, so what
// shows them on a terminal replaces it.
func NotOneLine(r rune) bool {
	switch r {
	case 0x200B, 0x200E, 0x200F, 0x061C, 0x2060, 0xFEFF:
		return true
	}
	return unicode.In(r, unicode.Cc, unicode.Zl, unicode.Zp) || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// MultiLine reports prose (a statement, a note, a rationale, a reason, the
// interview's place, which may be an address over several lines) holding a
// character that garbles what it says where it is shown: a control
// character other than the line feed, a carriage return just before one
// (a form sends CR LF) and the tab (so NUL, an escape, which colours and
// moves the cursor in a terminal, a lone carriage return, the other C0 and
// C1 controls), or a bidi embedding, override or isolate, which shows what
// follows it reordered. The invisible characters OneLine also refuses (the
// zero-width space, the direction marks, the byte order mark, a line or
// paragraph separator) stay: text pasted from a PDF or a web page carries
// them, its writer cannot see them to take them out, and in prose they
// neither hide a name nor reorder what is read. nil when there is none.
func MultiLine(field, s string) *domain.FieldError {
	for i, r := range s {
		if r == '\n' || r == '\t' || r == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			continue
		}
		if unicode.Is(unicode.Cc, r) || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 {
			return &domain.FieldError{Field: field, Reason: "holds an invisible or control character"}
		}
	}
	return nil
}

// Blank reports a text that shows nothing: empty, or only white space and
// characters that draw nothing (the zero-width joiner and non-joiner and
// the other format characters, variation selectors, the Hangul fillers and
// the other default-ignorable code points, the blank braille pattern). It
// says nothing, so it counts as no text: a statement of only "\u200c"
// addresses no category, as one of only spaces does not.
func Blank(s string) bool {
	for _, r := range s {
		if r != 0x2800 && !unicode.In(r, unicode.White_Space, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point) {
			return false
		}
	}
	return true
}

// Prose reports a multi-line text over the Runes limit or holding a
// character MultiLine refuses (the limit first), nil when neither.
func (l Limit) Prose(field, s string) *domain.FieldError {
	if e := l.Text(field, s); e != nil {
		return e
	}
	return MultiLine(field, s)
}

// List reports a list over the Items limit, nil when within.
func (l Limit) List(field string, n int) *domain.FieldError {
	if n > l.Items {
		return &domain.FieldError{Field: field, Reason: fmt.Sprintf("at most %d items", l.Items)}
	}
	return nil
}

// Number reports a number outside [Min, Max], nil when within. NaN is out.
func (l Limit) Number(field string, v float64) *domain.FieldError {
	if !(v >= l.Min && v <= l.Max) {
		return &domain.FieldError{Field: field, Reason: fmt.Sprintf("a number from %s to %s", num(l.Min), num(l.Max))}
	}
	return nil
}

func num(v float64) string { return fmt.Sprintf("%g", v) }

// Check collects the field errors that are not nil into one Invalid error
// (nil when there are none).
func Check(msg string, errs ...*domain.FieldError) error {
	var fields []domain.FieldError
	for _, e := range errs {
		if e != nil {
			fields = append(fields, *e)
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return domain.InvalidFields(msg, fields...)
}
