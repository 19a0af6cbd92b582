package web_test

import (
	"strings"
	"testing"
)

// TestTheOfficeIsNotAddressedAsTheHolder: the office reading an
// accreditation's page was told "Your accreditation as a verifiable
// credential ... Download your accreditation" and "How your graduates
// fared", and its programme effectiveness page with no programme yet
// "There is no EQA-accredited programme of yours yet": the holder's words.
// The office reads of the accreditation and the programme; the holder
// still reads of theirs; in either language.
func TestTheOfficeIsNotAddressedAsTheHolder(t *testing.T) {
	w := newWorld(t)
	office := w.officeClient(t)
	holderWords := map[string][]string{
		"en": {"Your accreditation", "your accreditation", "your graduates", "of yours"},
		"nl": {"Uw accreditatie", "uw accreditatie", "uw afgestudeerden", "van u."},
	}
	for _, lang := range []string{"en", "nl"} {
		office.setLang(lang)
		page := office.get("/programmes").Body
		if want := map[string]string{"en": "There is no EQA-accredited programme yet.", "nl": "Er is nog geen EQA-geaccrediteerde opleiding."}[lang]; !strings.Contains(page, want) {
			t.Errorf("%s: the office's programme effectiveness with no programme: want %q", lang, want)
		}
	}
	pia := w.registerApplicant(t, "pia@example.org", "Pia Provider")
	programme := w.awardedProgramme(t, pia)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	_, _, eia := w.awardedCase(t, carla)
	holder := w.client(t)
	holder.login(pia.Email, pia.Password)
	for _, lang := range []string{"en", "nl"} {
		office.setLang(lang)
		holder.setLang(lang)
		for _, acc := range []string{programme, eia} {
			page := office.get("/accreditations/" + acc).Body
			if !strings.Contains(page, `id="credential-heading"`) {
				t.Fatalf("%s: the office's page of %s has no credential section", lang, acc)
			}
			for _, w := range holderWords[lang] {
				if strings.Contains(page, w) {
					t.Errorf("%s: the office's page of accreditation %s says %q, the holder's words", lang, acc, w)
				}
			}
		}
		if page := office.get("/programmes").Body; strings.Contains(page, holderWords[lang][3]) {
			t.Errorf("%s: the office's programme effectiveness says %q", lang, holderWords[lang][3])
		}
		page := holder.get("/accreditations/" + programme).Body
		for _, w := range holderWords[lang][:3] {
			if !strings.Contains(page, w) {
				t.Errorf("%s: the holder's page of the programme no longer says %q", lang, w)
			}
		}
	}
}
