package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/pii"
)

// A view shows pii.Unavailable in place of a personal text it could not
// open for the moment (the key store did not answer), and pii.Erased in
// place of an erased one. A client that reads a view and sends its texts
// back, as an editor does, would then store the placeholder as the
// person's own text, and the real one would be lost for good once the
// key store answered again. No one writes exactly either as a text of
// their own, so a body holding one as a whole value is refused, naming
// each field, before anything is recorded. The web forms are not filled
// from such a view at all (they answer 503 while the texts cannot be
// opened).

// placeholderReason is the field reason of a placeholder sent back.
const placeholderReason = "is the placeholder a view shows for a personal text that could not be opened (" +
	pii.Unavailable + ") or was erased (" + pii.Erased + "), not a text: read the view again and send the text itself"

// refusePlaceholders refuses body, valid JSON, when a string in it is
// exactly a placeholder. Only a body that holds one, quoted, is walked.
func refusePlaceholders(body []byte) error {
	if !bytes.Contains(body, []byte(`"`+pii.Unavailable+`"`)) && !bytes.Contains(body, []byte(`"`+pii.Erased+`"`)) {
		return nil
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil // decoded before: cannot fail
	}
	if bad := placeholders(doc, "", nil); len(bad) > 0 {
		return domain.InvalidFields("a placeholder sent as a personal text", bad...)
	}
	return nil
}

// placeholders lists the fields of v (at names where v is, as bind names
// fields: "years[0].hours") whose value is a placeholder.
func placeholders(v any, at string, out []domain.FieldError) []domain.FieldError {
	switch v := v.(type) {
	case string:
		if v == pii.Unavailable || v == pii.Erased {
			field := at
			if field == "" {
				field = "(body)"
			}
			out = append(out, domain.FieldError{Field: field, Reason: placeholderReason})
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			name := k
			if at != "" {
				name = at + "." + k
			}
			out = placeholders(v[k], name, out)
		}
	case []any:
		for i, e := range v {
			out = placeholders(e, fmt.Sprintf("%s[%d]", at, i), out)
		}
	}
	return out
}
