// Package framework holds the EMCC Competence Framework (V3, September 2015,
// Dutch translation of 12 April 2016) as data that the accreditation code
// loads: the purpose statement, the EQA and EIA descriptions of the four
// accreditation levels (Foundation, Practitioner, Senior Practitioner and
// Master Practitioner), the eight competence categories, the equivalence
// principle and the 112 numbered capability indicators
// ("vaardigheidsindicatoren"), each placed in exactly one category and one
// level column as printed in the framework's table.
//
// Every text is available in the printed Dutch wording and in an English
// translation (see [Text]). The catalogue is embedded from framework.json and
// obtained with [Default]; [Load] parses and validates another copy of the
// same JSON shape.
//
// The package imports only the standard library.
package framework
