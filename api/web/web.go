// Package web is the browser application on accreditd: the applicant portal,
// the assessor workbench and the office console, server-rendered with
// html/template from files embedded in the binary, on the same domain
// services and role rules as the JSON API.
package web

import (
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/api"
	"github.com/emcc/accredit/domain/accounts"
	"github.com/emcc/accredit/domain/cases"
	"github.com/emcc/accredit/domain/framework"
)

// Deps is what the web application is built on.
type Deps struct {
	Accounts  *accounts.Service
	Cases     *cases.Service
	Reads     *api.ReadSide
	Catalogue *framework.Catalogue
	Log       *slog.Logger
	Now       func() time.Time
	// Secure marks cookies Secure; off only for plain-HTTP development.
	Secure bool
}

// Register adds the web application's routes to e.
func Register(e *echo.Echo, d Deps) {}
