package accreditation

import "github.com/emcc/accredit/domain/eventstore"

// ApplyDecided evolves the case by an event a command has just decided and
// its writer recorded as e, taking the payload as the command made it
// (the Change's Data) instead of decoding e.Data again: a writer of many
// events (the seeder) spends most of its time in that JSON round trip. It
// changes the case as Apply(e) does, to which it falls back when payload
// is not the current version's of e's type.
func (c *Case) ApplyDecided(e eventstore.Event, payload any) error {
	def, known := events[EventType(e.Type)]
	if !known || e.SchemaVersion != def.version || !def.applyDecided(c, e, payload) {
		return c.Apply(e)
	}
	c.UpdatedAt = e.OccurredAt
	return nil
}
