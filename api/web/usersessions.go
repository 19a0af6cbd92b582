package web

// endUserSessions is the office logging a user out everywhere, as POST
// /api/v1/users/:id/sessions/revocation does. When the office ends its
// own, this browser's session ends with the others.
func (a *app) endUserSessions(x *ctx) error {
	id, err := userParam(x)
	if err != nil {
		return err
	}
	res, _, err := a.d.Accounts.EndSessions(x.Request().Context(), x.meta("end_sessions"), id)
	if err != nil {
		return err
	}
	a.settle(x, res.Seq)
	return x.redirect("/office/users/" + id + "?ok=sessions_ended")
}
