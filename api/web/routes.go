package web

import (
	"net/http"

	"github.com/emcc/accredit/domain"
)

// route is one page or form and who may use it.
type route struct {
	Method string
	Path   string
	// Roles that may use it; Public ones need no login.
	Roles  []domain.Role
	Public bool
	// Nav, when set, is the message key of the route's entry in the main
	// navigation of the roles that may use it.
	Nav string
	// LogsIn marks a public form that starts a session of its own (login,
	// sign-up): it is taken with this browser's token without a session
	// too (checkCSRF), so that the form sent again once its first sending
	// logged the browser in (Back, then send) is answered rather than
	// refused.
	LogsIn bool
	h      func(*ctx) error
}

// routes is the one table of the web application's pages and forms and the
// roles that may use them; guard enforces it.
func (a *app) routes() []route {
	get, post := http.MethodGet, http.MethodPost
	anyRole, applicant, assessor, office := domain.UserRoles, domain.ApplicantOnly, domain.AssessorOnly, domain.OfficeOnly
	return []route{
		// Anyone.
		{Method: get, Path: "/", Public: true, h: a.home},
		{Method: get, Path: "/static/*", Public: true, h: a.static},
		{Method: get, Path: "/login", Public: true, h: a.loginForm},
		{Method: post, Path: "/login", Public: true, LogsIn: true, h: a.login},
		{Method: get, Path: "/signup", Public: true, h: a.signupForm},
		{Method: post, Path: "/signup", Public: true, LogsIn: true, h: a.signup},
		{Method: post, Path: "/lang", Public: true, h: a.setLang},
		{Method: get, Path: "/forgot-password", Public: true, h: a.forgotForm},
		{Method: post, Path: "/forgot-password", Public: true, h: a.forgot},
		{Method: get, Path: "/reset-password", Public: true, h: a.resetForm},
		{Method: post, Path: "/reset-password", Public: true, h: a.reset},
		{Method: get, Path: "/confirm-email", Public: true, h: a.confirmEmailForm},
		{Method: post, Path: "/confirm-email", Public: true, h: a.confirmEmail},
		{Method: get, Path: "/register", Public: true, Nav: "nav.register", h: a.registerList},
		{Method: get, Path: "/register/:acc", Public: true, h: a.verify},
		{Method: get, Path: "/verify", Public: true, h: a.verifyCredentialForm},
		{Method: post, Path: "/verify", Public: true, h: a.verifyCredential},
		{Method: get, Path: "/rules", Public: true, Nav: "nav.rules", h: a.rules},
		{Method: get, Path: "/framework", Public: true, Nav: "nav.framework", h: a.framework},
		{Method: get, Path: "/framework/indicators/:n", Public: true, h: a.frameworkIndicator},
		{Method: get, Path: "/framework/categories/:n", Public: true, h: a.frameworkCategoryPage},
		{Method: get, Path: "/self-check", Public: true, Nav: "nav.selfcheck", h: a.selfCheckForm},
		{Method: post, Path: "/self-check", Public: true, h: a.evaluateSelfCheck},
		{Method: get, Path: "/self-checks", Roles: anyRole, h: a.selfChecks},
		{Method: post, Path: "/self-checks/apply", Roles: applicant, h: a.applyFromSelfCheck},
		{Method: get, Path: "/rules/:rules", Public: true, h: a.rulesVersion},
		{Method: post, Path: "/logout", Roles: anyRole, h: a.logout},
		{Method: get, Path: "/cases/:case/evidence/:ev", Roles: anyRole, h: a.evidenceFile},
		{Method: get, Path: "/me/export.json", Roles: anyRole, h: a.exportMine},
		{Method: get, Path: "/account", Roles: anyRole, h: a.account},
		{Method: post, Path: "/account/password", Roles: anyRole, h: a.changePassword},
		{Method: post, Path: "/account/sessions/end", Roles: anyRole, h: a.endOtherSessions},
		{Method: post, Path: "/account/notifications", Roles: anyRole, h: a.saveNotifications},
		{Method: post, Path: "/account/email", Roles: anyRole, h: a.requestEmailChange},

		// Applicants.
		{Method: get, Path: "/applications", Roles: applicant, Nav: "nav.applications", h: a.myApplications},
		{Method: get, Path: "/applications/new", Roles: applicant, h: a.newApplication},
		{Method: post, Path: "/applications", Roles: applicant, h: a.openApplication},
		{Method: get, Path: "/applications/:case", Roles: applicant, h: a.application},
		{Method: get, Path: "/applications/:case/portfolio", Roles: applicant, h: a.portfolioForm},
		{Method: post, Path: "/applications/:case/portfolio", Roles: applicant, h: againIfOvertaken(a.savePortfolio)},
		{Method: get, Path: "/applications/:case/evidence", Roles: applicant, h: a.evidencePage},
		{Method: post, Path: "/applications/:case/evidence", Roles: applicant, h: a.uploadEvidence},
		{Method: post, Path: "/applications/:case/evidence/:ev/remove", Roles: applicant, h: a.removeEvidence},
		{Method: get, Path: "/applications/:case/evidence/:ev/edit", Roles: applicant, h: a.evidenceEditPage},
		{Method: post, Path: "/applications/:case/evidence/:ev/edit", Roles: applicant, h: againIfOvertaken(a.editEvidence)},
		{Method: get, Path: "/applications/:case/self-assessment", Roles: applicant, h: a.selfAssessmentForm},
		{Method: post, Path: "/applications/:case/self-assessment", Roles: applicant, h: againIfOvertaken(a.saveSelfAssessment)},
		{Method: post, Path: "/applications/:case/submit", Roles: applicant, h: a.submit},
		{Method: post, Path: "/applications/:case/respond", Roles: applicant, h: a.respond},
		{Method: post, Path: "/applications/:case/appeal", Roles: applicant, h: a.appeal},
		{Method: post, Path: "/applications/:case/withdraw", Roles: applicant, h: a.withdraw},
		{Method: get, Path: "/accreditations/:acc", Roles: anyRole, h: a.certificate},
		{Method: get, Path: "/accreditations/:acc/credential.jwt", Roles: domain.HolderOrOffice, h: a.credentialFile},
		{Method: get, Path: "/accreditations/:acc/certificate.pdf", Roles: domain.HolderOrOffice, h: a.certificatePDF},
		{Method: post, Path: "/accreditations/:acc/renew", Roles: applicant, h: a.renew},
		{Method: post, Path: "/accreditations/:acc/withdraw", Roles: applicant, h: a.holderWithdrawAccreditation},
		// A programme's provider (the holder of its EQA accreditation) and the office.
		{Method: get, Path: "/programmes", Roles: domain.HolderOrOffice, h: a.programmes},
		{Method: get, Path: "/programmes/:programme", Roles: domain.HolderOrOffice, h: a.programme},

		// Assessors.
		{Method: get, Path: "/queue", Roles: assessor, Nav: "nav.queue", h: a.queue},
		{Method: get, Path: "/queue/finished", Roles: assessor, h: a.finishedQueue},
		{Method: post, Path: "/queue/:case/claim", Roles: assessor, h: a.claim},
		{Method: get, Path: "/assess/:case", Roles: assessor, h: a.workspace},
		{Method: post, Path: "/assess/:case", Roles: assessor, h: a.assess},
		{Method: post, Path: "/assess/:case/request-information", Roles: assessor, h: a.requestInformation},
		{Method: post, Path: "/assess/:case/interview", Roles: assessor, h: a.scheduleInterview},
		{Method: post, Path: "/assess/:case/interview/record", Roles: assessor, h: a.recordInterview},
		{Method: post, Path: "/accreditations/:acc/renewal/assess", Roles: assessor, h: a.assessRenewal},
		{Method: get, Path: "/calibration", Roles: assessor, Nav: "nav.calibration", h: a.calibration},

		// The EMCC office.
		{Method: get, Path: "/office", Roles: office, Nav: "nav.dashboard", h: a.dashboard},
		{Method: get, Path: "/office/cases", Roles: office, Nav: "nav.cases", h: a.officeQueue},
		{Method: get, Path: "/office/search", Roles: office, Nav: "nav.search", h: a.officeSearch},
		{Method: get, Path: "/office/cases/:case", Roles: office, h: a.officeCase},
		{Method: post, Path: "/office/cases/:case/payment", Roles: office, h: a.recordPayment},
		{Method: post, Path: "/office/cases/:case/screen", Roles: office, h: a.screen},
		{Method: post, Path: "/office/cases/:case/assign", Roles: office, h: a.assign},
		{Method: post, Path: "/office/cases/:case/reassign", Roles: office, h: a.reassign},
		{Method: post, Path: "/office/cases/:case/unassign", Roles: office, h: a.unassign},
		{Method: post, Path: "/office/cases/:case/renewal/assign", Roles: office, h: a.assignRenewal},
		{Method: post, Path: "/office/cases/:case/request-information", Roles: office, h: a.requestInformation},
		{Method: post, Path: "/office/cases/:case/interview", Roles: office, h: a.scheduleInterview},
		{Method: post, Path: "/office/cases/:case/moderate", Roles: office, h: a.moderate},
		{Method: post, Path: "/office/cases/:case/decide", Roles: office, h: a.decide},
		{Method: post, Path: "/office/cases/:case/appeal-decision", Roles: office, h: a.decideAppeal},
		{Method: post, Path: "/office/accreditations/:acc/revoke", Roles: office, h: a.revoke},
		{Method: post, Path: "/office/accreditations/:acc/withdraw", Roles: office, h: a.officeWithdrawAccreditation},
		{Method: get, Path: "/office/decisions", Roles: office, Nav: "nav.decisions", h: a.decisions},
		{Method: get, Path: "/office/calibration", Roles: office, Nav: "nav.calibration", h: a.calibration},
		{Method: get, Path: "/office/audit", Roles: office, Nav: "nav.audit", h: a.audit},
		{Method: get, Path: "/office/audit.csv", Roles: office, h: a.auditCSV},
		{Method: get, Path: "/office/audit/verify", Roles: office, h: a.auditVerify},
		{Method: post, Path: "/office/audit/checkpoints", Roles: office, h: a.auditCheckpoint},
		{Method: get, Path: "/office/rules/:scheme", Roles: office, h: a.rulesForm},
		{Method: post, Path: "/office/rules/:scheme", Roles: office, h: a.publishRules},
		{Method: get, Path: "/office/users", Roles: office, Nav: "nav.users", h: a.users},
		{Method: get, Path: "/office/outbox", Roles: office, Nav: "nav.outbox", h: a.outbox},
		{Method: get, Path: "/office/outbox/:message", Roles: office, h: a.outboxMessage},
		{Method: post, Path: "/office/users", Roles: office, h: a.createUser},
		{Method: get, Path: "/office/users/:user", Roles: office, h: a.user},
		{Method: get, Path: "/office/users/:user/export.json", Roles: office, h: a.exportUser},
		{Method: post, Path: "/office/users/:user/profile", Roles: office, h: againIfOvertaken(a.saveProfile)},
		{Method: post, Path: "/office/users/:user/disable", Roles: office, h: a.disableUser},
		{Method: post, Path: "/office/users/:user/enable", Roles: office, h: a.enableUser},
		{Method: post, Path: "/office/users/:user/sessions", Roles: office, h: a.endUserSessions},
		{Method: post, Path: "/office/users/:user/reset-link", Roles: office, h: a.issueResetLink},
		{Method: post, Path: "/office/users/:user/erase", Roles: office, h: a.eraseUser},
	}
}
