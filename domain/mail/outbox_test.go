package mail_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/mail"
	"github.com/emcc/accredit/domain/natsstore"
	"github.com/emcc/accredit/domain/natsstore/natstest"
	"github.com/emcc/accredit/domain/pii"
)

// refusing is a mail server that refuses every recipient as Postfix does,
// its reply repeating the address (in its own case).
type refusing struct{}

func (refusing) Send(_ context.Context, e mail.Envelope) error {
	return errors.New("smtp: RCPT TO: 550 5.1.1 <" + strings.ToUpper(e.To) + ">: Recipient address rejected: User unknown")
}

// outboxStores are an outbox's mail store, on a JetStream of its own, and a
// vault.
func outboxStores(t *testing.T) (*natsstore.MailStore, *pii.Vault) {
	t.Helper()
	js, err := jetstream.New(natstest.Start(t).Conn)
	if err != nil {
		t.Fatal(err)
	}
	store, err := natsstore.OpenMailStore(context.Background(), js, natsstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	vault, err := pii.NewVault(pii.NewMemoryKeys(), bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return store, vault
}

// TestARefusedRecipientsAddressIsNotKeptInTheError: the outbox keeps a
// send's error for the office to read, and the address in a mail server's
// refusal is written as <recipient>; the address is sealed under the
// recipient's key and goes with their erasure, and the error kept it in
// clear for as long as the message was kept.
func TestARefusedRecipientsAddressIsNotKeptInTheError(t *testing.T) {
	ctx := context.Background()
	store, vault := outboxStores(t)
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	o := mail.NewOutbox(mail.Options{Store: store, Vault: vault, Transport: refusing{}, Owner: "p1", Now: func() time.Time { return now }})
	const address = "carla.coach@example.org"
	if _, err := o.Add(ctx, mail.Draft{ID: "e1.returned.u-carla", Kind: mail.KindReturned, RecipientID: "u-carla",
		Email: address, Language: "en", Subject: "Your application was returned", Body: "Dear Carla Coach"}); err != nil {
		t.Fatal(err)
	}
	for range mail.MaxAttempts {
		o.SendDue(ctx)
		now = now.Add(7 * time.Hour)
	}
	if err := vault.Erase(ctx, "u-carla"); err != nil {
		t.Fatal(err)
	}
	m, _, err := store.Get(ctx, "e1.returned.u-carla")
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != mail.StatusFailed || m.Attempts != mail.MaxAttempts {
		t.Fatalf("after %d refusals: status %s, %d attempts", mail.MaxAttempts, m.Status, m.Attempts)
	}
	if strings.Contains(strings.ToLower(m.LastError), address) || !strings.Contains(m.LastError, "<<recipient>>: Recipient address rejected") {
		t.Fatalf("the error kept: %q; want the refusal without the address", m.LastError)
	}
}

// counting is a mail server that takes every message and counts them.
type counting struct{ sent int }

func (c *counting) Send(context.Context, mail.Envelope) error { c.sent++; return nil }

// directory is the people of a test: every one active unless disabled.
type directory struct{ disabled map[string]bool }

func (d directory) Person(_ context.Context, id string) (mail.Person, bool, error) {
	return mail.Person{ID: id, Disabled: d.disabled[id]}, true, nil
}
func (directory) Office(context.Context) []string { return nil }

// TestMailToARecipientDisabledSinceIsNotSent: a message written before its
// recipient's account was disabled (waiting, say, for its next try) is
// cancelled when its turn comes rather than sent; another recipient's is
// sent.
func TestMailToARecipientDisabledSinceIsNotSent(t *testing.T) {
	ctx := context.Background()
	store, vault := outboxStores(t)
	server, people := &counting{}, directory{disabled: map[string]bool{}}
	o := mail.NewOutbox(mail.Options{Store: store, Vault: vault, Transport: server, Owner: "p1", People: people,
		Now: func() time.Time { return time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC) }})
	for _, who := range []string{"u-anna", "u-carla"} {
		if _, err := o.Add(ctx, mail.Draft{ID: "e1.assigned." + who, Kind: mail.KindAssigned, RecipientID: who,
			Email: who + "@example.org", Language: "en", Subject: "A case was assigned to you", Body: "Dear " + who}); err != nil {
			t.Fatal(err)
		}
	}
	people.disabled["u-anna"] = true
	if n := o.SendDue(ctx); n != 1 || server.sent != 1 {
		t.Fatalf("sent %d (the server got %d), want 1", n, server.sent)
	}
	for who, want := range map[string]mail.Status{"u-anna": mail.StatusCancelled, "u-carla": mail.StatusSent} {
		if m, _, err := store.Get(ctx, "e1.assigned."+who); err != nil || m.Status != want {
			t.Fatalf("%s's message: %s, %v; want %s", who, m.Status, err, want)
		}
	}
}

// TestTheNoticeOfADisabledAccountIsSentToIt: the notices that the office
// disabled an account, or enabled it, go to its address although it reads
// as disabled (the first is about that; the second's reader may be a
// moment behind the enabling); any other mail to it is cancelled.
func TestTheNoticeOfADisabledAccountIsSentToIt(t *testing.T) {
	ctx := context.Background()
	store, vault := outboxStores(t)
	server, people := &counting{}, directory{disabled: map[string]bool{"u-carla": true}}
	o := mail.NewOutbox(mail.Options{Store: store, Vault: vault, Transport: server, Owner: "p1", People: people,
		Now: func() time.Time { return time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC) }})
	for _, k := range []mail.Kind{mail.KindAccountDisabled, mail.KindAccountEnabled, mail.KindPasswordChanged} {
		if _, err := o.Add(ctx, mail.Draft{ID: "e1." + string(k) + ".u-carla", Kind: k, RecipientID: "u-carla",
			Email: "carla@example.org", Language: "en", Subject: string(k), Body: "Dear Carla"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := o.SendDue(ctx); n != 2 || server.sent != 2 {
		t.Fatalf("sent %d (the server got %d), want 2", n, server.sent)
	}
	for k, want := range map[mail.Kind]mail.Status{mail.KindAccountDisabled: mail.StatusSent,
		mail.KindAccountEnabled: mail.StatusSent, mail.KindPasswordChanged: mail.StatusCancelled} {
		if m, _, err := store.Get(ctx, "e1."+string(k)+".u-carla"); err != nil || m.Status != want {
			t.Fatalf("the %s message: %s, %v; want %s", k, m.Status, err, want)
		}
	}
}

// TestASenderBehindItsDirectoryCatchesUpBeforeItCancels: a recipient who
// reads as disabled in a directory behind the store (the enabling written
// on another process) is read again once the directory has caught up
// (Options.CatchUp), and mailed; one the directory cannot catch up for
// is neither mailed nor cancelled, but left to be tried again.
func TestASenderBehindItsDirectoryCatchesUpBeforeItCancels(t *testing.T) {
	ctx := context.Background()
	store, vault := outboxStores(t)
	server, people := &counting{}, directory{disabled: map[string]bool{"u-carla": true, "u-anna": true}}
	behind := errors.New("the directory is behind")
	catchUp := func(context.Context) error { return behind }
	o := mail.NewOutbox(mail.Options{Store: store, Vault: vault, Transport: server, Owner: "p1", People: people,
		CatchUp: func(ctx context.Context) error { return catchUp(ctx) },
		Now:     func() time.Time { return time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC) }})
	add := func(who string) {
		if _, err := o.Add(ctx, mail.Draft{ID: "e1.assigned." + who, Kind: mail.KindAssigned, RecipientID: who,
			Email: who + "@example.org", Language: "en", Subject: "A case was assigned to you", Body: "Dear " + who}); err != nil {
			t.Fatal(err)
		}
	}
	add("u-anna")
	if n := o.SendDue(ctx); n != 0 || server.sent != 0 {
		t.Fatalf("sent %d (the server got %d) while the directory could not catch up, want 0", n, server.sent)
	}
	if m, _, err := store.Get(ctx, "e1.assigned.u-anna"); err != nil || m.Status != mail.StatusSending {
		t.Fatalf("anna's message while the directory could not catch up: %s, %v; want it still claimed, to be tried again", m.Status, err)
	}
	catchUp = func(context.Context) error { people.disabled["u-carla"] = false; return nil }
	add("u-carla")
	if n := o.SendDue(ctx); n != 1 || server.sent != 1 {
		t.Fatalf("sent %d (the server got %d), want carla's", n, server.sent)
	}
	if m, _, err := store.Get(ctx, "e1.assigned.u-carla"); err != nil || m.Status != mail.StatusSent {
		t.Fatalf("carla's message: %s, %v; want it sent, her account enabled", m.Status, err)
	}
}
