package audit_test

import (
	"testing"

	"github.com/emcc/accredit/domain/audit"
	"github.com/emcc/accredit/domain/audit/checkpointstest"
)

func TestMemoryCheckpointsConformance(t *testing.T) {
	checkpointstest.Run(t, checkpointstest.Harness{
		New: func(t *testing.T) audit.CheckpointStore { return &audit.MemoryCheckpoints{} },
	})
}
