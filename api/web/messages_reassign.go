package web

// reassignMessages are the texts of the office's reassigning and
// unassigning an assessor or a verifier (issue 15 item 5), in English and
// Dutch (see messages).
var reassignMessages = map[string]msg{
	"reassign.title": {"Change the assessors", "Assessoren wijzigen"},
	"reassign.hint": {"A role changes hands until its holder submits an assessment or records the interview; after that it stands as theirs. The reason is kept in the case's record for the office only.",
		"Een rol kan van houder wisselen tot de houder een beoordeling indient of het interview vastlegt; daarna blijft die van hem of haar. De reden staat in het dossier, alleen voor het bureau."},
	"reassign.holder":           {"%s: %s", "%s: %s"},
	"reassign.to":               {"Give the role of %s to", "De rol van %s geven aan"},
	"reassign.reason.hint":      {"Why the role changes hands.", "Waarom de rol van houder wisselt."},
	"reassign.submit":           {"Reassign the %s", "Andere %s toewijzen"},
	"reassign.none":             {"No other assessor is qualified to take over the role of %s.", "Geen andere assessor is gekwalificeerd om de rol van %s over te nemen."},
	"unassign.reason.hint":      {"Why they are taken off the case.", "Waarom de toewijzing wordt ingetrokken."},
	"unassign.submit":           {"Unassign the %s", "Toewijzing %s intrekken"},
	"reassign.label.role":       {"Role", "Rol"},
	"reassign.label.holder":     {"Held now by", "Nu in handen van"},
	"reassign.label.new_holder": {"Given to", "Gaat naar"},
	"reassign.label.taken_off":  {"Taken off", "Toewijzing ingetrokken"},
	"confirm.reassign.title":    {"Reassign the role of %s?", "De rol van %s opnieuw toewijzen?"},
	"confirm.reassign.what": {"%s will no longer see this case and cannot take it back from the queue. %s takes over the role at once and is told by email.",
		"%s ziet dit dossier niet meer en kan het niet terugnemen uit de wachtrij. %s neemt de rol meteen over en krijgt daarover een e-mail."},
	"confirm.reassign.button": {"Reassign", "Opnieuw toewijzen"},
	"confirm.unassign.title":  {"Unassign the %s?", "Toewijzing van de %s intrekken?"},
	"confirm.unassign.what": {"%s will no longer see this case and cannot take it back from the queue. The case waits in the assessors' queue until the role of %s is filled again.",
		"%s ziet dit dossier niet meer en kan het niet terugnemen uit de wachtrij. Het dossier wacht in de wachtrij van de assessoren tot de rol van %s weer vervuld is."},
	"confirm.unassign.button": {"Unassign", "Toewijzing intrekken"},
	"ok.reassigned":           {"The role has a new holder.", "De rol heeft een nieuwe houder."},
	"ok.unassigned":           {"The assessor is taken off the case.", "De toewijzing is ingetrokken."},
	"excluded.taken_off": {"The office took them off this case: they cannot claim it back from the queue.",
		"Is door het bureau van dit dossier gehaald: kan het niet terugnemen uit de wachtrij."},
	"event.assessor_unassigned": {"Assessor taken off the case", "Toewijzing van een assessor ingetrokken"},
}
