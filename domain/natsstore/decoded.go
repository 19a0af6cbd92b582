package natsstore

import (
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/emcc/accredit/domain/eventstore"
)

// decodedCommits keeps the commits this store's subscribers decoded last,
// by stream sequence. Every subscriber of a process (the write side's feed,
// the read models, the search index, the mail notifier) is delivered every
// commit at about the same time; decoding each once instead of once per
// subscriber took a command's CPU down by the cost of three decodes (see
// the commands benchmark in api). A stored commit never changes, and
// subscribers only read what they are given (the Subscribe contract), so
// they can share one decoded copy.
type decodedCommits struct {
	slots [decodedSlots]atomic.Pointer[eventstore.Commit]
}

// decodedSlots is how far apart (in commits) subscribers may be and still
// share: they follow the tip within a few commits, and one further behind
// (a replay) decodes its own.
const decodedSlots = 1024

// decodedMaxBytes bounds the commits kept (their message's body), so that
// what the slots hold stays a few MiB whatever the commits: a commit is
// about a KiB, the store takes up to its max_payload.
const decodedMaxBytes = 16 << 10

// commitOf decodes a delivered message, or returns the commit another
// subscriber decoded from the same message.
func (d *decodedCommits) commitOf(m jetstream.Msg) eventstore.Commit {
	seq, err := seqOf(m)
	if err != nil {
		return commitOf(m)
	}
	slot := &d.slots[seq%decodedSlots]
	if c := slot.Load(); c != nil && c.Seq == seq {
		return *c
	}
	c := commitOf(m)
	if c.Err == nil && len(m.Data()) <= decodedMaxBytes {
		slot.Store(&c)
	}
	return c
}
