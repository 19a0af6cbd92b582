package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emcc/accredit/domain"
)

// TestTheWordIndexesFindWhatALookAtEveryoneFinds: on an index of 3,000
// applicants with a case each, every query gives the pages a look at every
// user and case gives, whether its terms are rare (the word indexes give
// the candidates) or common (over selectiveReach: the lists are gone
// through in order), and after people are erased and emails change.
func TestTheWordIndexesFindWhatALookAtEveryoneFinds(t *testing.T) {
	x := filled(3000)
	// Some changes, as the store would bring them.
	for i, id := range x.userIDs {
		switch i % 97 {
		case 5:
			x.erase(id)
		case 7:
			u := x.users[id]
			x.putUser(id, u.role, u.name, fmt.Sprintf("renamed%d@example.net", i), id, id)
		}
	}
	queries := []string{"ada", "berg", "berg ada", "ada berg 1", "person12", "person1234@", "renamed", "example", "example net",
		"coaching", "academy north 10", "zzz", "ö", "o brien", "grace hopper 2", "bergström", "ber"}
	for _, q := range queries {
		terms := Terms(q)
		var wantUsers []string
		for _, id := range x.userIDs {
			if u := x.users[id]; !u.erased && matches(terms, u.words) {
				wantUsers = append(wantUsers, id)
			}
		}
		var gotUsers []string
		for after := ""; ; {
			page, next := x.Users(UserQuery{Text: q, After: after, Limit: 100})
			for _, u := range page {
				gotUsers = append(gotUsers, u.ID)
			}
			if next == "" {
				break
			}
			after = next
		}
		if !slices.Equal(gotUsers, wantUsers) {
			t.Errorf("users %q: got %d, want %d", q, len(gotUsers), len(wantUsers))
		}
		var wantCases []string
		for i := len(x.caseIDs) - 1; i >= 0; i-- {
			c := x.cases[x.caseIDs[i]]
			var aw []string
			if u, ok := x.users[c.applicant]; ok && !u.erased {
				aw = u.words
			}
			if matches(terms, c.words, aw) {
				wantCases = append(wantCases, x.caseIDs[i])
			}
		}
		var gotCases []string
		for before := ""; ; {
			page, next := x.Cases(CaseQuery{Text: q, Before: before, Limit: 100})
			for _, c := range page {
				gotCases = append(gotCases, c.ID)
			}
			if next == "" {
				break
			}
			before = next
		}
		if !slices.Equal(gotCases, wantCases) {
			t.Errorf("cases %q: got %d, want %d", q, len(gotCases), len(wantCases))
		}
	}
}

// TestFoldTakesASCIIAsTheTransformDoes: the ASCII shortcut folds every
// plain string as the Unicode transform does, and a string with an accent
// still goes through the transform.
func TestFoldTakesASCIIAsTheTransformDoes(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "Ada Lovelace", "ADA.LOVELACE@EXAMPLE.ORG", "O'Brien-Smith 42", "a\tb\x7f~"} {
		if got, want := Fold(s), foldUnicode(s); got != want {
			t.Errorf("Fold(%q) = %q, the transform gives %q", s, got, want)
		}
	}
	if got := Fold("Zoë Bergström-ÅS"); got != "zoe bergstrom-as" {
		t.Errorf(`Fold("Zoë Bergström-ÅS") = %q, want "zoe bergstrom-as"`, got)
	}
}

// TestACaseOfAnErasedApplicantKeepsOnlyItsID: a case put after its
// applicant's erasure (a resume puts the users first, erasures included,
// then the cases) is found by its id, never by the programme and provider
// it came with.
func TestACaseOfAnErasedApplicantKeepsOnlyItsID(t *testing.T) {
	x := New(nil, nil, nil)
	x.putUser("U1", domain.RoleApplicant, "Ada Lovelace", "ada@example.org", "U1", "U1")
	x.erase("U1")
	x.putCase("C1", "U1", "Analytical Engines", "Babbage & Co", "U1", "U1")
	for _, q := range []string{"analytical", "babbage"} {
		if got, _ := x.Cases(CaseQuery{Text: q}); len(got) != 0 {
			t.Errorf("%q: found %v", q, got)
		}
	}
	if got, _ := x.Cases(CaseQuery{Text: "c1"}); len(got) != 1 {
		t.Errorf("by its id: found %v", got)
	}
	if c := x.cases["C1"]; c.programme != "" || c.provider != "" {
		t.Errorf("kept %q, %q", c.programme, c.provider)
	}
}

// TestAQueryReadsAtMostMaxQueryText: however long a query's text, the index
// reads its first MaxQueryText bytes, cut at a rune's start; a query of
// tens of thousands of words once took seconds of CPU (its words were made
// unique by a look through all of them for each).
func TestAQueryReadsAtMostMaxQueryText(t *testing.T) {
	var long strings.Builder
	for i := range 50_000 {
		fmt.Fprintf(&long, "w%d ", i)
	}
	terms := Terms(long.String())
	if want := words(long.String()[:MaxQueryText]); !slices.Equal(terms, want) {
		t.Fatalf("a long query read as %d terms (%v…), want the %d of its first %d bytes", len(terms), terms[:min(5, len(terms))], len(want), MaxQueryText)
	}
	accents := "a" + strings.Repeat("é", MaxQueryText) // two bytes each: the cut falls inside one
	if c := clip(accents); !utf8.ValidString(c) || len(c) > MaxQueryText || c != "a"+strings.Repeat("é", (MaxQueryText-1)/2) {
		t.Fatalf("a query of accented letters cut to %q", c)
	}
	if got := Terms("Ada Lovelace"); !slices.Equal(got, []string{"ada", "lovelace"}) {
		t.Fatalf("a short query read as %q", got)
	}
}
