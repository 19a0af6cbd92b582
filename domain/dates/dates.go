// Package dates writes a day, and a time, as people read them in the
// system's languages: "6 December 2026" ("6 december 2026" in Dutch),
// with the time of day in UTC, the zone the system keeps and shows every
// time in: "6 December 2026 14:30 UTC". The web pages (api/web) and the
// emails (domain/mail) both write dates through it, so a date reads the
// same on a page and in a mail in one language. Machine-readable dates
// (links, JSON, ids) are never written through it.
//
// It imports nothing of the module: the domain uses it without importing
// the web.
package dates

import (
	"fmt"
	"time"
)

var months = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"nl": {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
}

// Date writes t's day (in UTC) in lang: "6 December 2026", "6 december
// 2026"; English for a language it does not know.
func Date(lang string, t time.Time) string {
	m, ok := months[lang]
	if !ok {
		m = months["en"]
	}
	t = t.UTC()
	return fmt.Sprintf("%d %s %d", t.Day(), m[t.Month()-1], t.Year())
}

// DateTime is Date with the time of day in UTC: "6 December 2026 14:30
// UTC", in Dutch with "om" before the time, as Dutch writes it: "6
// december 2026 om 14:30 UTC".
func DateTime(lang string, t time.Time) string {
	if lang == "nl" {
		return Date(lang, t) + " om " + Clock(t)
	}
	return Date(lang, t) + " " + Clock(t)
}

// Clock is t's time of day, in UTC: "14:30 UTC".
func Clock(t time.Time) string { return t.UTC().Format("15:04") + " UTC" }
