package web_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/emcc/accredit/cmd/accreditd/app/apptest"
)

// TestTheWorkspaceSaysTheInterviewComesBeforeTheAssessment: at a level
// with an interview an assessor assesses once their record of it is in;
// until then the workspace said only "You cannot assess this case now",
// not why. It says that the interview is recorded first, in the page's
// language, whether or not the interview is scheduled; once the
// assessor's record is in, the form to assess is there.
func TestTheWorkspaceSaysTheInterviewComesBeforeTheAssessment(t *testing.T) {
	w := newWorld(t)
	id := w.seniorInAssessment(t, w.registerApplicant(t, "carla@example.org", "Carla Coach"))
	anna := w.client(t)
	anna.login(w.assessor.Email, w.assessor.Password)
	check := func(when string) {
		t.Helper()
		for _, tc := range []struct{ lang, want, vague string }{
			{"en", "You assess this case once you have recorded the interview", "You cannot assess this case now."},
			{"nl", "U beoordeelt dit dossier zodra u het interview hebt vastgelegd", "U kunt dit dossier nu niet beoordelen."},
		} {
			anna.setLang(tc.lang)
			page := anna.get("/assess/" + id).Body
			if !strings.Contains(page, tc.want) || strings.Contains(page, tc.vague) {
				t.Errorf("%s, %s: want %q on the workspace, not %q", when, tc.lang, tc.want, tc.vague)
			}
		}
	}
	check("not scheduled")
	Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/interview", w.assessor.Token, map[string]string{"at": start.Add(48 * time.Hour).Format(time.RFC3339), "place": "Online"}), 200)
	check("scheduled")

	w.clock.Advance(72 * time.Hour)
	w.admin, w.assessor.Token = w.in.AdminToken(t), w.in.Login(t, w.assessor.Email, w.assessor.Password)
	w.settled(t, Expect(t, w.in.Post(t, "/api/v1/cases/"+id+"/interview/record", w.assessor.Token, map[string]any{"notes": "A good conversation."}), 200))
	anna = w.client(t) // the session before has run out
	anna.login(w.assessor.Email, w.assessor.Password)
	page := anna.get("/assess/" + id).Body
	if !strings.Contains(page, `<form method="post" action="/assess/`+id+`"`) || strings.Contains(page, "You assess this case once you have recorded the interview") {
		t.Error("recorded: want the form to assess and no word of the interview to record first")
	}
}
