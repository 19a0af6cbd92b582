package web_test

import (
	"html"
	"strings"
	"testing"
)

// TestTheAccountPageSaysTrulyWhereEmailsLink: the email choices do not
// claim that every email links to its case: the digest lists several,
// a renewal's mails link to the accreditation, and the account's own
// notices (always sent) link to no case. In English and in Dutch.
func TestTheAccountPageSaysTrulyWhereEmailsLink(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	for lang, c := range map[string]struct{ want, not []string }{
		"en": {[]string{"links to its page", "an accreditation", "the daily digest links to each case it lists", "are always sent"}, []string{"Every email links"}},
		"nl": {[]string{"linkt naar de pagina ervan", "een accreditatie", "het dagelijks overzicht linkt naar elk dossier", "worden altijd verstuurd"}, []string{"Elke e-mail linkt"}},
	} {
		me := w.client(t)
		me.setLang(lang)
		me.login(carla.Email, carla.Password)
		body := html.UnescapeString(me.get("/account").Body)
		for _, s := range c.want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the account page does not say %q", lang, s)
			}
		}
		for _, s := range c.not {
			if strings.Contains(body, s) {
				t.Errorf("%s: the account page says %q, untrue of the digest and the account's notices", lang, s)
			}
		}
	}
}
