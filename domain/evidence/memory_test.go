package evidence_test

import (
	"testing"

	"github.com/emcc/accredit/domain/evidence"
	"github.com/emcc/accredit/domain/evidence/blobstest"
)

func TestMemoryBlobsConformance(t *testing.T) {
	blobstest.Run(t, blobstest.Harness{
		New: func(t *testing.T) evidence.Blobs { return evidence.NewMemoryBlobs() },
	})
}
