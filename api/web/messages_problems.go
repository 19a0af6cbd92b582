package web

// problemMessages word the refusals that name no field which the web does
// not word elsewhere (see ctx.problem): the domain's it knows, and, for a
// Dutch page, the kind of one it does not know, in English and Dutch (see
// messages). The English of problem.<code> is for completeness: an English
// page shows the domain's own words.
var problemMessages = map[string]msg{
	"problem.unreadable_form": {"The form could not be read. Reload the page and send it again.",
		"Het formulier kon niet worden gelezen. Laad de pagina opnieuw en verstuur het nog eens."},
	// The same on the error page, which shows no form to reload.
	"problem.unreadable_form.page": {"What was sent could not be read. Go back, reload the page and send it again.",
		"Wat u verstuurde, kon niet worden gelezen. Ga terug, laad de pagina opnieuw en verstuur het nog eens."},
	"problem.nothing_changes": {"Nothing changes from %s, so nothing was published.",
		"Er verandert niets ten opzichte van %s, dus er is niets gepubliceerd."},
	"problem.selfchecks_full": {"At most %d self-checks are kept per person. This one was not kept.",
		"Per persoon worden hoogstens %d zelfchecks bewaard. Deze is niet bewaard."},
	"problem.interview_ahead": {"The interview cannot be recorded yet: it is on %s.",
		"Het interview kan nog niet worden vastgelegd: het is op %s."},
	"problem.renewal_not_open": {"Renewal is open from %s until %s (%s months before the accreditation ends).",
		"Verlengen kan van %s tot %s (%s maanden voordat de accreditatie afloopt)."},
	"problem.renewal_no_grace": {"The accreditation ended on %s, and the rules allow no time to renew after the end.",
		"De accreditatie is op %s afgelopen, en de regels laten na het einde geen tijd om te verlengen."},
	"problem.renewal_grace_ended": {"The accreditation ended on %s, and the grace period of %s months to renew it ended on %s.",
		"De accreditatie is op %s afgelopen, en de respijtperiode van %s maanden om te verlengen is op %s geëindigd."},
	"problem.change_too_large": {"This change is too large to be recorded at once (%s bytes, at most %s): send less at once.",
		"Deze wijziging is te groot om in één keer vast te leggen (%s bytes, hoogstens %s): verstuur minder tegelijk."},
	"problem.upload_interrupted": {"The upload was interrupted. Choose the file and send it again.",
		"De upload is onderbroken. Kies het bestand en verstuur het opnieuw."},
	"problem.no_search": {"Search is not available on this server.",
		"Zoeken is op deze server niet beschikbaar."},
	"problem.renewal_not_yours": {"Only the assessor the renewal is assigned to may assess it, and it is not assigned to you.",
		"Alleen de assessor aan wie de verlenging is toegewezen, mag deze beoordelen, en ze is niet aan u toegewezen."},
	"problem.no_accreditation": {"This case holds no accreditation, so there is no renewal to assign.",
		"Dit dossier heeft geen accreditatie, dus er is geen verlenging om toe te wijzen."},
	"problem.no_evidence": {"This evidence is not in the application (any more): it may have been removed already, in another tab or window.",
		"Dit bewijsstuk staat niet (meer) in de aanvraag: het is misschien al verwijderd, in een ander tabblad of venster."},
	// The kind of a refusal whose words the web does not know.
	"problem.invalid": {"What was sent could not be accepted. Check the form and try again.",
		"Wat u verstuurde, kon niet worden aanvaard. Controleer het formulier en probeer het opnieuw."},
	// The same on the error page, which shows no form to check.
	"problem.invalid.page": {"What was sent could not be accepted. Go back, correct it and send it again.",
		"Wat u verstuurde, kon niet worden aanvaard. Ga terug, verbeter het en verstuur het opnieuw."},
	"problem.not_found": {"What you asked for does not exist, or it is not yours to see.",
		"Wat u vroeg, bestaat niet, of u mag het niet inzien."},
	"problem.conflict": {"This could not be done: something changed since the page was opened. Open the page again to see where things stand.",
		"Dit kon niet worden uitgevoerd: er is iets gewijzigd sinds de pagina werd geopend. Open de pagina opnieuw om te zien hoe het ervoor staat."},
	"problem.forbidden": {"You may not take this step.",
		"U mag deze stap niet zetten."},
	"problem.unauthorized": {"You are not logged in, or no longer. Log in and try again.",
		"U bent niet (meer) ingelogd. Log in en probeer het opnieuw."},
	"problem.precondition_failed": {"This was changed after you opened this page, so your change was not saved. Open the page again and try again.",
		"Dit is gewijzigd nadat u deze pagina opende, dus uw wijziging is niet opgeslagen. Open de pagina opnieuw en probeer het nog eens."},
	"problem.unprocessable": {"The rules of the process do not allow this step now.",
		"De regels van de procedure staan deze stap nu niet toe."},
	"problem.too_large": {"What was sent is too large.",
		"Wat u verstuurde, is te groot."},
	"problem.too_many_requests": {"Too many attempts in a short time. Wait a moment and try again.",
		"Te veel pogingen in korte tijd. Wacht even en probeer het opnieuw."},
	"problem.unavailable": {"This is not available at the moment. Try again in a few minutes.",
		"Dit is op dit moment niet beschikbaar. Probeer het over enkele minuten opnieuw."},
}
