package apptest

import "github.com/emcc/accredit/domain/eventstore/eventstoretest"

// Gate holds back what follows a store (eventstoretest.Gate): here, as
// the tests of the app have always named it.
type Gate = eventstoretest.Gate

// NewGate wraps s, open (eventstoretest.NewGate).
var NewGate = eventstoretest.NewGate
