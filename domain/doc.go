// Package domain is the write side of Accredit: the vocabulary shared by every
// domain package (errors, actors, roles) and, in its subpackages, the
// competence framework, the aggregates and the event-store port.
//
// Nothing under domain/ imports echo or net/http; only the JetStream adapter
// (domain/natsstore) imports nats.go, and nothing else in the module does
// either (cmd/ goes through natsstore).
package domain
