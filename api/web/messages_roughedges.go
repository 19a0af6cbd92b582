package web

// roughEdgesMessages are the texts of issue 15's rough edges (open items,
// the action badge, editing evidence, reassignment, excluded assessors,
// finished cases), in English and Dutch (see messages).
var roughEdgesMessages = map[string]msg{
	"badge.action_needed": {"Action needed", "Actie nodig"},
	"openitems.title":     {"Open items", "Openstaande punten"},
	"openitems.intro":     {"Asked of you (%d):", "Van u gevraagd (%d):"},
	"openitems.returned":  {"The office returned your application: %s", "Het bureau heeft uw aanvraag teruggestuurd: %s"},
	"openitems.request":   {"Answer the request for information: %s", "Beantwoord het verzoek om informatie: %s"},
	"openitems.resubmit":  {"Everything the rules ask is in place. When you have addressed the office's reasons, submit again.", "Alles wat de regels vragen is compleet. Dien opnieuw in zodra u de redenen van het bureau hebt verwerkt."},
}
