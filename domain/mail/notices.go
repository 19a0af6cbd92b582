package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/eventstore"
	"github.com/emcc/accredit/domain/pii"
)

// handleAccount mails the notices of commit c of user userID's stream: a
// changed password to the account's address, a changed address to the one
// it left. Someone who took a session or learnt the password could
// otherwise shut the owner out unseen. The office disabling the account,
// or enabling it again, is mailed to its address too: the user would
// otherwise find out at their next login; so is the office making a link
// to set their password (accounts.reset_link_issued).
//
// A notice is in the user's own language (their choice), else in the
// language of the newest case they applied with, else in English: as a
// case's mail is, the case being theirs.
func (n *Notifier) handleAccount(ctx context.Context, c eventstore.Commit, userID string) error {
	caseLang, looked := "", false
	for _, e := range c.Events {
		d := Data{At: e.OccurredAt}
		var kind Kind
		address := "" // the account's address now
		switch e.Type {
		case accounts.EventPasswordChanged:
			kind = KindPasswordChanged
			d.Link = strings.TrimRight(n.BaseURL, "/") + "/forgot-password"
		case accounts.EventEmailChanged:
			var p accounts.EmailChanged
			if json.Unmarshal(e.Data, &p) != nil || p.Previous.IsZero() {
				continue // written before the old address was recorded
			}
			old, err := n.open(ctx, p.Previous)
			if errors.Is(err, pii.ErrErased) || errors.Is(err, pii.ErrNoKey) {
				continue // the user is erased: nobody to tell
			}
			if err != nil {
				return err
			}
			now, err := n.open(ctx, p.Email)
			if errors.Is(err, pii.ErrErased) || errors.Is(err, pii.ErrNoKey) {
				continue
			}
			if err != nil {
				return err
			}
			kind, address = KindEmailChanged, old
			d.Address = MaskAddress(now)
			d.Link = strings.TrimRight(n.BaseURL, "/") + "/login"
		case accounts.EventUserDisabled:
			// The office's reason is not mailed: it may be internal (a
			// complaint, an investigation), written for the office rather
			// than to the user, and the office can tell the user directly.
			// The notice says when, and whom to ask.
			kind = KindAccountDisabled
			d.Link = strings.TrimRight(n.BaseURL, "/") + "/"
		case accounts.EventUserEnabled:
			kind = KindAccountEnabled // the reason is not mailed either
			d.Link = strings.TrimRight(n.BaseURL, "/") + "/login"
		case accounts.EventSessionsEnded:
			// The office ended them (a stolen device, a suspected
			// takeover): the user learns why they were logged out, and
			// what to do if they do not know why. Ending one's own other
			// sessions (KeptCurrent) is the user's doing: no mail.
			var p accounts.SessionsEnded
			if json.Unmarshal(e.Data, &p) != nil || p.KeptCurrent {
				continue
			}
			kind = KindSessionsEnded
			d.Link = strings.TrimRight(n.BaseURL, "/") + "/login"
		case accounts.EventResetLinkIssued:
			// The office hands such a link on itself, so a user who did
			// not ask for one learns that someone may set their password,
			// before it is used. The link is not mailed: it is the office's
			// to give, and this address may be the one lost.
			kind = KindResetLinkIssued
			d.Link = strings.TrimRight(n.BaseURL, "/") + "/login"
		default:
			continue
		}
		if !looked {
			lang, err := n.Cases.LanguageOf(ctx, userID)
			if err != nil {
				return err
			}
			caseLang, looked = lang, true
		}
		_, err := n.notifiedAt(ctx, fmt.Sprintf("e%d.%s.%s", c.Seq, kind, userID), userID, address, caseLang, kind, d)
		if errors.Is(err, pii.ErrErased) || errors.Is(err, pii.ErrNoKey) {
			continue // erased, and the key gone before this process read the record: nobody to tell
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// open reveals a sealed value with the outbox's vault.
func (n *Notifier) open(ctx context.Context, s pii.Sealed) (string, error) {
	return n.Outbox.o.Vault.Open(ctx, s)
}

// MaskAddress shows enough of an address for its owner to know it, and
// little to whoever reads the mailbox it is sent to (which may no longer
// be the owner's): the local part's first character, the domain whole.
func MaskAddress(address string) string {
	local, domain, ok := strings.Cut(address, "@")
	if !ok || local == "" {
		return "***"
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "***@" + domain
}
