package mail

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// The timed notifications: renewal reminders and the office's daily
// digest. Their ids come from what they are about (the accreditation, its
// end date and the reminder; the day and the office user), so every
// process may run the job at any time and each is created once.

// Expiring is an active accreditation that runs out, and when its renewal
// opens (zero: any time before the end).
type Expiring struct {
	CaseID, AccreditationID, HolderID, Language string
	ValidUntil, RenewalOpens                    time.Time
}

// Timed is what the timed jobs read.
type Timed interface {
	// ExpiringBefore returns the active accreditations that run out before t.
	ExpiringBefore(ctx context.Context, t time.Time) ([]Expiring, error)
	// Digest returns the cases submitted since since and the overdue ones.
	Digest(ctx context.Context, since, now time.Time) (submitted, overdue []string, err error)
}

// ReminderDays are the reminders before an accreditation runs out, the
// earliest first.
var ReminderDays = []int{90, 30}

// Remind creates the renewal reminders due at now: the 30-day one within
// 30 days of the end, else the 90-day one within 90. None is due before
// the renewal opens, for it would invite a renewal that is refused: one
// whose day comes earlier is due when it opens (the 90-day one, for a
// window of two months), and when the window opens within 30 days of the
// end only the 30-day one is mailed. It returns how many it created.
func (n *Notifier) Remind(ctx context.Context, now time.Time) (int, error) {
	if n.Timed == nil {
		return 0, nil
	}
	list, err := n.Timed.ExpiringBefore(ctx, now.AddDate(0, 0, ReminderDays[0]))
	created := 0
	for _, e := range list {
		left := int(math.Ceil(e.ValidUntil.Sub(now).Hours() / 24))
		if left < 1 || now.Before(e.RenewalOpens) {
			continue
		}
		mark := 0
		for _, d := range ReminderDays {
			if left <= d || !e.RenewalOpens.IsZero() && e.ValidUntil.AddDate(0, 0, -d).Before(e.RenewalOpens) {
				mark = d // due: its day has come, or it is due when renewal opens, which it has
			}
		}
		id := fmt.Sprintf("r%d.%s.%s", mark, e.AccreditationID, e.ValidUntil.UTC().Format("20060102"))
		d := Data{CaseID: e.CaseID, Days: left, Until: e.ValidUntil,
			Link: strings.TrimRight(n.BaseURL, "/") + "/accreditations/" + e.AccreditationID}
		ok, nerr := n.notifyOnce(ctx, id, e.HolderID, e.Language, KindRenewalReminder, d)
		if nerr != nil {
			return created, errors.Join(err, nerr)
		}
		if ok {
			created++
		}
	}
	return created, err
}

// DigestOf creates the day's digest for every office user, once a day (by
// UTC date); it reports how many it created. Each lists the submissions
// since that user's own digest before it. A digest with nothing in it (no
// submission since, no case overdue) is not sent: the day's is then done,
// and the next day's lists from when it was found empty (see emptyDigest).
func (n *Notifier) DigestOf(ctx context.Context, now time.Time) (int, error) {
	if n.Timed == nil {
		return 0, nil
	}
	day := now.UTC().Format("20060102")
	base := strings.TrimRight(n.BaseURL, "/")
	// Office users whose digests began at the same time share one reading
	// of the queue (usually all of them).
	made := map[time.Time]Data{}
	created := 0
	for _, office := range n.People.Office(ctx) {
		id := "d" + day + "." + office
		if _, ok := n.emptyDigest(id); ok {
			continue // found empty today: not read again until tomorrow
		}
		if _, _, err := n.Outbox.Store().Get(ctx, id); err == nil {
			continue // made already: no reading of the queue for it
		} else if !errors.Is(err, ErrNotFound) {
			return created, err
		}
		since := n.lastDigest(ctx, now, office)
		d, ok := made[since]
		if !ok {
			d.Since = since
			submitted, overdue, err := n.Timed.Digest(ctx, since, now)
			if err != nil {
				return created, err
			}
			for _, id := range submitted {
				d.Submitted = append(d.Submitted, CaseLink{ID: id, Link: base + "/office/cases/" + id})
			}
			for _, id := range overdue {
				d.Overdue = append(d.Overdue, CaseLink{ID: id, Link: base + "/office/cases/" + id})
			}
			made[since] = d
		}
		if len(d.Submitted) == 0 && len(d.Overdue) == 0 {
			n.markEmptyDigest(id, now)
			continue
		}
		ok, err := n.notifyOnce(ctx, id, office, "", KindDigest, d)
		if err != nil {
			return created, err
		}
		if ok {
			created++
		}
	}
	return created, nil
}

// digestLookBack is how many days back a digest looks for the one before it.
const digestLookBack = 7

// lastDigest is when office's digest before the day's was made, which the
// day's lists the submissions since: the job runs first on a day when the
// lease holder gets to it, and 24 hours before that left out what came
// between the two runs (or listed it twice). Each office user's own: one
// whose digest was made later (turned on in the afternoon) must not move
// another's window past what that one's last digest did not list. None
// within digestLookBack days, sent or known to be empty: the look-back's
// start. A day found empty is known only to the process that found it, so
// a process started since would otherwise look back 24 hours from its own
// run and leave out what came between that day's check and then; what the
// look-back's start lists in addition no digest listed (one would have
// been found).
func (n *Notifier) lastDigest(ctx context.Context, now time.Time, office string) time.Time {
	for back := 1; back <= digestLookBack; back++ {
		id := "d" + now.UTC().AddDate(0, 0, -back).Format("20060102") + "." + office
		if m, _, err := n.Outbox.Store().Get(ctx, id); err == nil && m.CreatedAt.Before(now) {
			return m.CreatedAt
		}
		if at, ok := n.emptyDigest(id); ok && at.Before(now) {
			return at // that day's was found empty: nothing came before it unlisted
		}
	}
	return now.AddDate(0, 0, -digestLookBack)
}

// emptyDigest reports when digest id (a day's, an office user's) was found
// empty by this process, and so not sent. It is kept in memory only: a
// process started later that day reads the queue once more, and sends the
// day's digest if something came meanwhile; the next day's window then
// begins at the digest before it, which lists nothing twice and leaves
// nothing out (the days between had nothing to list).
func (n *Notifier) emptyDigest(id string) (time.Time, bool) {
	n.emptyMu.Lock()
	defer n.emptyMu.Unlock()
	at, ok := n.empty[id]
	return at, ok
}

// markEmptyDigest records that digest id was found empty at now, and
// forgets those older than the look-back.
func (n *Notifier) markEmptyDigest(id string, now time.Time) {
	n.emptyMu.Lock()
	defer n.emptyMu.Unlock()
	if n.empty == nil {
		n.empty = map[string]time.Time{}
	}
	for k, at := range n.empty {
		if now.Sub(at) > (digestLookBack+1)*24*time.Hour {
			delete(n.empty, k)
		}
	}
	n.empty[id] = now
}

// notifyOnce is notify for a timed message: it first looks whether the
// message exists, so that a job run every few minutes does not seal and
// render each reminder again.
func (n *Notifier) notifyOnce(ctx context.Context, id, recipient, lang string, kind Kind, d Data) (bool, error) {
	if _, _, err := n.Outbox.Store().Get(ctx, id); err == nil {
		return false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	return n.notified(ctx, id, recipient, lang, kind, d)
}
