package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/emcc/accredit/domain"
	"github.com/emcc/accredit/domain/mail"
)

// Email notifications (issue 15 item 1): the office reads the outbox (the
// only way to read mail when no SMTP server is configured); each user
// chooses which kinds they receive and in which language.

// outboxMessage is a message in the office's list: no address, no body.
type outboxMessage struct {
	ID            string      `json:"id"`
	Kind          mail.Kind   `json:"kind"`
	RecipientID   string      `json:"recipient_id"`
	Subject       string      `json:"subject"`
	Language      string      `json:"language"`
	Link          string      `json:"link"`
	CaseID        string      `json:"case_id,omitempty"`
	Status        mail.Status `json:"status"`
	Attempts      int         `json:"attempts"`
	LastError     string      `json:"last_error,omitempty"`
	CreatedAt     time.Time   `json:"created_at"`
	SentAt        *time.Time  `json:"sent_at,omitempty"`
	NextAttemptAt *time.Time  `json:"next_attempt_at,omitempty"`
}

func summary(m mail.Message) outboxMessage {
	o := outboxMessage{ID: m.ID, Kind: m.Kind, RecipientID: m.RecipientID, Subject: m.Subject, Language: m.Language,
		Link: m.Link, CaseID: m.CaseID, Status: m.Status, Attempts: m.Attempts, LastError: m.LastError, CreatedAt: m.CreatedAt}
	if !m.SentAt.IsZero() {
		o.SentAt = &m.SentAt
	}
	if !m.NextAttemptAt.IsZero() && m.Status == mail.StatusQueued {
		o.NextAttemptAt = &m.NextAttemptAt
	}
	return o
}

func (s *Server) outbox(c echo.Context) error {
	offset, limit, err := pageParams(c)
	if err != nil {
		return err
	}
	// Newest first: by offset, a message written between pages pushed the
	// page before's last one onto the next, shown twice; a cursor goes on
	// from the last one read.
	var page mail.Page
	if v := c.QueryParam("cursor"); v != "" {
		before, ok := mail.ParseCursor(v)
		if !ok {
			return badQuery("cursor", "the next_cursor of the previous page")
		}
		if offset > 0 {
			return badQuery("offset", "not with cursor")
		}
		page = s.deps.Mail.ListBefore(c.Request().Context(), before, limit)
	} else {
		page = s.deps.Mail.List(c.Request().Context(), offset, limit)
	}
	list := make([]outboxMessage, 0, len(page.Messages))
	for _, m := range page.Messages {
		list = append(list, summary(m))
	}
	out := map[string]any{"messages": list, "total": page.Total, "offset": offset, "limit": limit, "sending": s.deps.Mail.Sending()}
	if page.Next != nil {
		out["next_cursor"] = page.Next.String()
	}
	return c.JSON(http.StatusOK, out)
}

// outboxView is one message, opened.
type outboxView struct {
	outboxMessage
	To        string `json:"to"`
	Body      string `json:"body"`
	MessageID string `json:"message_id"`
}

func (s *Server) outboxMessage(c echo.Context) error {
	id := c.Param("id")
	if !mail.ValidID(id) {
		return domain.Errorf(domain.NotFound, "no message %s", id)
	}
	v, err := s.deps.Mail.Read(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, outboxView{outboxMessage: summary(v.Message), To: v.To, Body: v.Body, MessageID: v.MessageID})
}

func (s *Server) myNotifications(c echo.Context) error {
	u := caller(c)
	ch, err := s.deps.Mail.Choices(c.Request().Context(), u.ID, u.Role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ch)
}

// notificationsRequest is the kinds to receive (the others are off) and
// the language.
type notificationsRequest struct {
	Receive  *[]mail.Kind `json:"receive"`
	Language *string      `json:"language"` // left out: the one chosen stays
}

func (s *Server) setMyNotifications(c echo.Context) error {
	var req notificationsRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Receive == nil {
		return domain.InvalidFields("invalid notification preferences", domain.FieldError{Field: "receive", Reason: "required: the kinds to receive (an empty list receives none)"})
	}
	u := caller(c)
	if req.Language == nil {
		cur, err := s.deps.Mail.Choices(c.Request().Context(), u.ID, u.Role)
		if err != nil {
			return err
		}
		req.Language = &cur.Language
	}
	ch, err := s.deps.Mail.SetChoices(c.Request().Context(), u.ID, u.Role, *req.Receive, *req.Language)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ch)
}
