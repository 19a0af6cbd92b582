package web_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestTheAuditHistorySaysItsOrder: the office's audit history was headed
// "Events, oldest first" above the newest event: it lists the newest
// first (the office looks at what just happened), and says so, in either
// language.
func TestTheAuditHistorySaysItsOrder(t *testing.T) {
	w := newWorld(t)
	carla := w.registerApplicant(t, "carla@example.org", "Carla Coach")
	w.claimedCase(t, carla)
	office := w.officeClient(t)
	seq := regexp.MustCompile(`<span class="hint">#(\d+)\.\d+</span>`)
	for lang, heading := range map[string]string{"en": "Events, newest first", "nl": "Gebeurtenissen, nieuwste eerst"} {
		t.Run(lang, func(t *testing.T) {
			office.setLang(lang)
			a := office.get("/office/audit")
			if !strings.Contains(a.Body, `<h2 id="a-heading">`+heading+`</h2>`) {
				t.Errorf("the events are not headed %q: %s", heading, regexp.MustCompile(`<h2 id="a-heading">[^<]*</h2>`).FindString(a.Body))
			}
			var seqs []int
			for _, m := range seq.FindAllStringSubmatch(a.Body, -1) {
				n, _ := strconv.Atoi(m[1])
				seqs = append(seqs, n)
			}
			if len(seqs) < 2 || seqs[0] <= seqs[len(seqs)-1] {
				t.Errorf("the events are not the newest first: positions %v", seqs)
			}
		})
	}
}
