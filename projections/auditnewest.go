package projections

import (
	"context"
	"slices"

	"github.com/emcc/accredit/domain/accreditation"
	"github.com/emcc/accredit/domain/eventstore"
)

// newestWindow is how many commits PageNewest reads at a time, going back.
const newestWindow = 500

// PageNewest is Page the other way round: up to limit entries matching f
// before the cursor (the newest when the cursor is zero), newest first,
// and the cursor of the next (older) page, nil at the start of the history.
// It reads the store backwards a window at a time, at most ScanBound
// commits a page, like Page.
func (a Audit) PageNewest(ctx context.Context, f AuditFilter, before Cursor, limit int) ([]AuditEntry, *Cursor, error) {
	var all []AuditEntry
	if f.CaseID != "" {
		stream := accreditation.StreamPrefix + "." + f.CaseID
		if !eventstore.ValidStreamID(stream) {
			return []AuditEntry{}, nil, nil
		}
		events, err := a.Store.Load(ctx, stream)
		if err != nil {
			return nil, nil, err
		}
		idx := 0
		for i, e := range events {
			if i > 0 && e.Seq != events[i-1].Seq {
				idx = 0
			}
			c := eventstore.Commit{Seq: e.Seq, Stream: stream, Events: []eventstore.Event{e}}
			entry := NewAuditEntry(c, 0)
			entry.Index = idx
			idx++
			if (before.Seq == 0 || older(entry, before)) && f.Match(entry) {
				all = append(all, entry)
			}
		}
		slices.Reverse(all)
		return pageOf(all, limit), nextOf(all, limit), nil
	}
	hi := before.Seq
	if hi == 0 {
		last, err := a.Store.LastSeq(ctx)
		if err != nil {
			return nil, nil, err
		}
		if last == 0 {
			return []AuditEntry{}, nil, nil
		}
		hi = last
	}
	bound := a.ScanBound
	if bound <= 0 {
		bound = DefaultAuditScanBound
	}
	width := uint64(min(newestWindow, bound))
	out := []AuditEntry{}
	for scanned := 0; hi >= 1; {
		lo := uint64(1)
		if hi > width {
			lo = hi - width + 1
		}
		var window []AuditEntry
		err := a.Store.Read(ctx, lo-1, hi, func(c eventstore.Commit) error {
			for i := range c.Events {
				e := NewAuditEntry(c, i)
				if (before.Seq == 0 || older(e, before)) && f.Match(e) {
					window = append(window, e)
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		slices.Reverse(window)
		for _, e := range window {
			if len(out) == limit {
				return out, &Cursor{Seq: out[limit-1].Seq, Index: out[limit-1].Index}, nil
			}
			out = append(out, e)
		}
		scanned += int(hi - lo + 1)
		if lo == 1 {
			break
		}
		if scanned >= bound {
			// Everything from lo up has been looked at.
			return out, &Cursor{Seq: lo, Index: 0}, nil
		}
		hi = lo - 1
		before = Cursor{Seq: hi + 1, Index: 0}
	}
	return out, nil, nil
}

// older reports whether e comes before the cursor.
func older(e AuditEntry, c Cursor) bool {
	return e.Seq < c.Seq || (e.Seq == c.Seq && e.Index < c.Index)
}

func pageOf(all []AuditEntry, limit int) []AuditEntry {
	if len(all) > limit {
		return all[:limit]
	}
	if all == nil {
		return []AuditEntry{}
	}
	return all
}

func nextOf(all []AuditEntry, limit int) *Cursor {
	if len(all) > limit {
		return &Cursor{Seq: all[limit-1].Seq, Index: all[limit-1].Index}
	}
	return nil
}
