package pii_test

import (
	"testing"

	"github.com/emcc/accredit/domain/pii"
	"github.com/emcc/accredit/domain/pii/keystoretest"
)

func TestMemoryKeysConformance(t *testing.T) {
	keystoretest.Run(t, keystoretest.Harness{
		New: func(t *testing.T) pii.KeyStore { return pii.NewMemoryKeys() },
	})
}
