package mail

import (
	"context"
	"slices"

	"github.com/emcc/accredit/domain"
)

// Choice is one kind a user may receive and whether they do.
type Choice struct {
	Kind Kind `json:"kind"`
	On   bool `json:"on"`
}

// Choices are a user's preferences as the account page shows them.
type Choices struct {
	Kinds    []Choice `json:"kinds"`
	Language string   `json:"language"` // "" (the case's), "en" or "nl"
}

// Choices returns what a user of role receives.
func (o *Outbox) Choices(ctx context.Context, userID string, role domain.Role) (Choices, error) {
	p, err := o.o.Store.Preferences(ctx, userID)
	if err != nil {
		return Choices{}, domain.Wrap(domain.Unavailable, err, "preferences unavailable")
	}
	c := Choices{Kinds: []Choice{}, Language: p.Language}
	for _, k := range KindsFor(role) {
		c.Kinds = append(c.Kinds, Choice{Kind: k, On: p.Wants(k)})
	}
	return c, nil
}

// SetChoices saves what a user of role receives: the kinds not in on are
// off. Errors: Invalid (a kind the role does not receive, another
// language).
func (o *Outbox) SetChoices(ctx context.Context, userID string, role domain.Role, on []Kind, language string) (Choices, error) {
	kinds := KindsFor(role)
	var fields []domain.FieldError
	for _, k := range on {
		if !slices.Contains(kinds, k) {
			fields = append(fields, domain.FieldError{Field: "receive", Reason: "unknown kind " + string(k) + " for a user of role " + string(role)})
		}
	}
	if language != "" && !slices.Contains(Languages, language) {
		fields = append(fields, domain.FieldError{Field: "language", Reason: `"", "en" or "nl"`})
	}
	if len(fields) > 0 {
		return Choices{}, domain.InvalidFields("invalid notification preferences", fields...)
	}
	old, err := o.o.Store.Preferences(ctx, userID)
	if err != nil {
		return Choices{}, domain.Wrap(domain.Unavailable, err, "preferences unavailable")
	}
	p := Preferences{Language: language, MadeIn: old.MadeIn}
	for _, k := range kinds {
		if !slices.Contains(on, k) {
			p.Off = append(p.Off, k)
		}
	}
	if err := o.o.Store.SetPreferences(ctx, userID, p); err != nil {
		return Choices{}, domain.Wrap(domain.Unavailable, err, "preferences unavailable")
	}
	return o.Choices(ctx, userID, role)
}

// CheckAccountLanguage refuses a language for a new account's mail other
// than none, "en" or "nl": the sign-up and the office check it before the
// account is made. Errors: Invalid.
func CheckAccountLanguage(language string) error {
	if language != "" && !slices.Contains(Languages, language) {
		return domain.InvalidFields("invalid language", domain.FieldError{Field: "language", Reason: `"en" or "nl"`})
	}
	return nil
}

// SetAccountLanguage records the language a user's account was made in,
// which their mail falls back to while they have chosen none and have no
// case (Preferences.MadeIn); none ("") records nothing. Errors: Invalid
// (another language).
func (o *Outbox) SetAccountLanguage(ctx context.Context, userID, language string) error {
	if language == "" {
		return nil // none given: English until a choice or a case
	}
	if err := CheckAccountLanguage(language); err != nil {
		return err
	}
	p, err := o.o.Store.Preferences(ctx, userID)
	if err != nil {
		return domain.Wrap(domain.Unavailable, err, "preferences unavailable")
	}
	if p.MadeIn == language {
		return nil // the account's making sent again
	}
	p.MadeIn = language
	if err := o.o.Store.SetPreferences(ctx, userID, p); err != nil {
		return domain.Wrap(domain.Unavailable, err, "preferences unavailable")
	}
	return nil
}
