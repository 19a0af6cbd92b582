package web

import (
	"strings"
	"testing"

	"github.com/emcc/accredit/domain"
)

// TestAFormPagesSummarySaysADomainMessageAsASentence: a refusal that names
// no field and that the pages have no words of their own for is shown in
// a form page's error summary as the domain wrote it (in lower case, to
// follow "cannot ...: "), with a capital first letter and no other change.
func TestAFormPagesSummarySaysADomainMessageAsASentence(t *testing.T) {
	const msg = "cannot open: an application of this kind waits for the office's word"
	body := formPageWith(t, "en", domain.Errorf(domain.Unprocessable, msg))
	if want := "C" + msg[1:]; !strings.Contains(body, want) {
		t.Errorf("the summary does not say %q:\n%s", want, body)
	}
	if strings.Contains(body, msg) {
		t.Errorf("the summary still says the message in lower case: %q", msg)
	}
}
