package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/emcc/accredit/domain"
)

// DefaultLimit is the page size when a query names none.
const DefaultLimit = 50

// words splits texts into the words a query matches by prefix: lowercase,
// without accents, cut at anything that is not a letter or a digit, so
// that "Zoë van den Berg-Ås" is found by "zoe", "berg" and "as", and
// "ada.lovelace@example.org" by "lovelace" and "example".
func words(texts ...string) []string {
	var out []string
	for _, t := range texts {
		for _, w := range strings.FieldsFunc(Fold(t), notWordRune) {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// Fold lowercases s and takes its accents off, as every search of names
// compares them (the office's index, the public register). Plain ASCII (most names
// and every email) has no accent to take off and skips the Unicode
// transform, which allocates its buffers on each call: the transform was
// a fifth of the index's build from the store.
func Fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	return foldUnicode(s)
}

func foldUnicode(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// Terms splits a query as the index splits what it holds; a hit has every
// term as the start of one of its words.
func Terms(q string) []string { return words(clip(q)) }

// MaxQueryText bounds what of a query's text is read: a name, an email or
// an id is shorter. A longer text is cut there (at a rune's start), so that
// a query costs the same whatever a caller sends.
const MaxQueryText = 200

// clip is q cut to MaxQueryText bytes, at a rune's start.
func clip(q string) string {
	if len(q) <= MaxQueryText {
		return q
	}
	n := MaxQueryText
	for n > 0 && !utf8.RuneStart(q[n]) {
		n--
	}
	return q[:n]
}

// matches reports whether every term starts a word of one of the lists.
func matches(terms []string, lists ...[]string) bool {
	for _, t := range terms {
		found := false
		for _, ws := range lists {
			for _, w := range ws {
				if strings.HasPrefix(w, t) {
					found = true
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// User is what the index knows of one user.
type User struct {
	ID    string      `json:"id"`
	Role  domain.Role `json:"role"`
	Name  string      `json:"name"`
	Email string      `json:"email"`
}

// UserQuery asks for users: those whose name or email has every word of
// Text (any when empty), of Role when set, after the id After, at most
// Limit (DefaultLimit when 0), oldest first.
type UserQuery struct {
	Text  string
	Role  domain.Role
	After string
	Limit int
}

// Users answers q; next is the After of the next page, empty on the last.
// An erased user is never found.
func (x *Index) Users(q UserQuery) (page []User, next string) {
	terms, limit := Terms(q.Text), q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	ids := x.userIDs
	if t, ok := x.selective(terms, false); ok {
		ids = x.found(t, false)
	}
	i, _ := slices.BinarySearch(ids, q.After)
	for ; i < len(ids); i++ {
		id := ids[i]
		if id == q.After {
			continue
		}
		u := x.users[id]
		if u.erased || (q.Role != "" && u.role != q.Role) || !matches(terms, u.words) {
			continue
		}
		if len(page) == limit {
			return page, page[limit-1].ID
		}
		page = append(page, User{ID: id, Role: u.role, Name: u.name, Email: u.email})
	}
	return page, ""
}

// User returns what the index knows of the user id; false for one it does
// not know or who was erased.
func (x *Index) User(id string) (User, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	u, ok := x.users[id]
	if !ok || u.erased {
		return User{}, false
	}
	return User{ID: id, Role: u.role, Name: u.name, Email: u.email}, true
}

// Case is one case found, with what the index knows of its applicant.
type Case struct {
	ID             string `json:"case_id"`
	ApplicantID    string `json:"applicant_id"`
	ApplicantName  string `json:"applicant_name,omitempty"`
	ApplicantEmail string `json:"applicant_email,omitempty"`
	Programme      string `json:"programme,omitempty"`
	Provider       string `json:"provider,omitempty"`
}

// CaseQuery asks for cases: those whose id, programme, provider or
// applicant's name or email has every word of Text (any when empty), that
// Keep keeps (when set), before the id Before, at most Limit (DefaultLimit
// when 0), newest first.
type CaseQuery struct {
	Text   string
	Keep   func(caseID string) bool
	Before string
	Limit  int
}

// Cases answers q; next is the Before of the next page, empty on the last.
// Keep is called with the index's read lock held.
func (x *Index) Cases(q CaseQuery) (page []Case, next string) {
	terms, limit := Terms(q.Text), q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	ids := x.caseIDs
	if t, ok := x.selective(terms, true); ok {
		ids = x.found(t, true)
	}
	i := len(ids)
	if q.Before != "" {
		i, _ = slices.BinarySearch(ids, q.Before)
	}
	for i--; i >= 0; i-- {
		id := ids[i]
		c := x.cases[id]
		var applicant *user
		if u, ok := x.users[c.applicant]; ok && !u.erased {
			applicant = u
		}
		var aw []string
		if applicant != nil {
			aw = applicant.words
		}
		if !matches(terms, c.words, aw) || (q.Keep != nil && !q.Keep(id)) {
			continue
		}
		if len(page) == limit {
			return page, page[limit-1].ID
		}
		hit := Case{ID: id, ApplicantID: c.applicant, Programme: c.programme, Provider: c.provider}
		if applicant != nil {
			hit.ApplicantName, hit.ApplicantEmail = applicant.name, applicant.email
		}
		page = append(page, hit)
	}
	return page, ""
}

// selectiveReach is how many ids a term may reach for its ids to be
// looked up; a term that reaches more (a common first name) matches so
// much that going through the list in order fills a page soon.
const selectiveReach = 2000

// selective picks the term that reaches the fewest ids, if it reaches at
// most selectiveReach: the candidates are then its ids, and every term is
// checked on each (as on the whole list otherwise).
func (x *Index) selective(terms []string, cases bool) ([]string, bool) {
	best, fewest := "", selectiveReach+1
	for _, t := range terms {
		n := x.userWords.reach(t, fewest)
		if cases && n < fewest {
			n += x.caseWords.reach(t, fewest-n) // an applicant's word reaches about one case
		}
		if n < fewest {
			best, fewest = t, n
		}
	}
	return []string{best}, fewest <= selectiveReach
}

// found lists, in order, the ids of the users (or, with cases, the cases)
// that have a word starting with each term, from the word indexes: the
// cost is that of the words and ids the terms reach, not of the whole
// index. A case has its applicant's words too. The caller holds the lock.
func (x *Index) found(terms []string, cases bool) []string {
	var hits map[string]bool
	for _, t := range terms {
		these := map[string]bool{}
		if cases {
			x.caseWords.prefixed(t, func(id string) { these[id] = true })
			x.userWords.prefixed(t, func(uid string) {
				for _, id := range x.byOwner[uid] {
					these[id] = true
				}
			})
		} else {
			x.userWords.prefixed(t, func(id string) { these[id] = true })
		}
		if hits == nil {
			hits = these
		} else {
			for id := range hits {
				if !these[id] {
					delete(hits, id)
				}
			}
		}
		if len(hits) == 0 {
			return nil
		}
	}
	out := make([]string, 0, len(hits))
	for id := range hits {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
