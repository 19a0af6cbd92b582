package web

// roughEdgesMessages are the texts of issue 15's rough edges (open items,
// the action badge, editing evidence, reassignment, excluded assessors,
// finished cases), in English and Dutch (see messages).
var roughEdgesMessages = map[string]msg{
	"badge.action_needed":   {"Action needed", "Actie nodig"},
	"openitems.title":       {"Open items", "Openstaande punten"},
	"openitems.intro":       {"Asked of you (%d):", "Van u gevraagd (%d):"},
	"openitems.returned":    {"The office returned your application: %s", "Het bureau heeft uw aanvraag teruggestuurd: %s"},
	"openitems.request":     {"Answer the request for information: %s", "Beantwoord het verzoek om informatie: %s"},
	"openitems.resubmit":    {"Everything the rules ask is in place. When you have addressed the office's reasons, submit again.", "Alles wat de regels vragen is compleet. Dien opnieuw in zodra u de redenen van het bureau hebt verwerkt."},
	"evidence.edit":         {"Edit", "Bewerken"},
	"evidence.edit.title":   {"Edit the evidence", "Bewijs bewerken"},
	"evidence.edit.file":    {"File: %s (%s), uploaded %s. The file stays as it is; change what describes it.", "Bestand: %s (%s), geüpload %s. Het bestand blijft zoals het is; u wijzigt wat het beschrijft."},
	"evidence.edit.hint":    {"An indicator also maps the evidence to its category.", "Een indicator koppelt het bewijs ook aan zijn categorie."},
	"evidence.edit.save":    {"Save the changes", "Wijzigingen opslaan"},
	"evidence.edit.cancel":  {"Cancel", "Annuleren"},
	"evidence.edit.closed":  {"This evidence can no longer be changed: the application is not with you.", "Dit bewijs kan niet meer worden gewijzigd: de aanvraag ligt niet bij u."},
	"ok.evidence_edited":    {"The evidence is updated.", "Het bewijs is bijgewerkt."},
	"event.evidence_edited": {"Evidence edited", "Bewijs bewerkt"},
}
