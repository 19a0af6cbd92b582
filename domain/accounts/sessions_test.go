package accounts_test

import (
	"testing"

	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/accounts/sessionstest"
)

func TestMemorySessionsConformance(t *testing.T) {
	sessionstest.Run(t, sessionstest.Harness{
		New: func(t *testing.T) accounts.SessionStore { return accounts.NewMemorySessions() },
	})
}
