package selfcheck_test

import (
	"errors"

	"github.com/emcc/accredit/domain"
)

func asErr(err error, target **domain.Error) bool { return errors.As(err, target) }
