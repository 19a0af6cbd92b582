package web

// calibrationMessages are the texts of the calibration page, in English and
// Dutch (see messages).
var calibrationMessages = map[string]msg{
	"nav.calibration":               {"Calibration", "Kalibratie"},
	"calibration.title":             {"How assessors agree", "Hoe assessoren overeenstemmen"},
	"calibration.intro.office":      {"Every case is assessed twice, by its assessor and its verifier. These figures compare the two ratings of each competence category, per category, per assessor and per quarter, and count how often an assessor's recommendation was overturned.", "Elk dossier wordt twee keer beoordeeld, door de assessor en de verificateur. Deze cijfers vergelijken de twee beoordelingen van elke competentiecategorie, per categorie, per assessor en per kwartaal, en tellen hoe vaak de aanbeveling van een assessor werd teruggedraaid."},
	"calibration.intro.own":         {"Your ratings against the other assessor's on the same cases, and how often your recommendation was overturned. Only you and the EMCC office see these figures.", "Uw beoordelingen tegenover die van de andere assessor op dezelfde dossiers, en hoe vaak uw aanbeveling werd teruggedraaid. Alleen u en het EMCC-bureau zien deze cijfers."},
	"calibration.how":               {"How the figures are worked out", "Hoe de cijfers worden berekend"},
	"calibration.how.text":          {"Agreement is the share of categories both rated alike. Kappa (Cohen's, with linear weights) discounts the agreement chance alone would give, given how often each assessor uses each rating, and counts a one-step difference (evidenced against partially evidenced) as half a disagreement: 1 is full agreement, 0 no better than chance, below 0 worse. It is not shown where it is not defined: no pairs yet, or one rating throughout. A recommendation is overturned in moderation when the moderator recommended otherwise, and on appeal when an appeal was upheld against a decision that had gone the assessor's way. Quarters are those in which the assessments were submitted.", "Overeenstemming is het aandeel categorieën dat beiden gelijk beoordeelden. Kappa (van Cohen, met lineaire gewichten) trekt de overeenstemming af die toeval alleen zou geven, gegeven hoe vaak elke assessor elke beoordeling gebruikt, en telt een verschil van één stap (aangetoond tegenover deels aangetoond) als een halve onenigheid: 1 is volledige overeenstemming, 0 niet beter dan toeval, onder 0 slechter. Het wordt niet getoond waar het niet bepaald is: nog geen paren, of overal één beoordeling. Een aanbeveling is teruggedraaid bij moderatie als de moderator iets anders aanbeval, en in beroep als een beroep werd toegewezen tegen een besluit dat de kant van de assessor op was gegaan. Kwartalen zijn die waarin de beoordelingen zijn ingediend."},
	"calibration.categories":        {"Agreement per competence category", "Overeenstemming per competentiecategorie"},
	"calibration.assessors":         {"Per assessor", "Per assessor"},
	"calibration.yours":             {"Your figures", "Uw cijfers"},
	"calibration.category":          {"Category", "Categorie"},
	"calibration.assessor":          {"Assessor", "Assessor"},
	"calibration.pairs":             {"Pairs", "Paren"},
	"calibration.agreement":         {"Agreement", "Overeenstemming"},
	"calibration.kappa":             {"Kappa", "Kappa"},
	"calibration.assessments":       {"Assessments", "Beoordelingen"},
	"calibration.moderated_against": {"Overturned in moderation", "Teruggedraaid bij moderatie"},
	"calibration.appealed_against":  {"Overturned on appeal", "Teruggedraaid in beroep"},
	"calibration.overturned":        {"Share overturned", "Aandeel teruggedraaid"},
	"calibration.drift":             {"Quarter by quarter", "Per kwartaal"},
	"calibration.quarter":           {"Quarter", "Kwartaal"},
	"calibration.by_category":       {"Per category", "Per categorie"},
	"calibration.none":              {"No case has been assessed by both its assessors yet.", "Nog geen dossier is door beide assessoren beoordeeld."},
}
