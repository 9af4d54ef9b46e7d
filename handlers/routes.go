package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"margin/models"
)

// routes lists every route in one place.
func (a *App) routes(e *echo.Echo) {
	// The Protocol's containers end in a slash: that one is not redirected.
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: 301,
		Skipper: func(c echo.Context) bool { return isContainerPath(c.Request().URL.Path) }}))
	e.Use(middleware.Recover())
	if a.cfg.Metrics != nil {
		e.Use(a.cfg.Metrics.middleware)
	}
	e.Use(securityHeaders)

	// Stateless routes: no session, no cookie.
	e.GET("/healthz", a.healthShow, checkText)
	e.GET("/assets/*", echo.WrapHandler(a.assets), checkText)
	// Atom feeds: no session (a feed reader has none); the private ones
	// carry their owner's feed key in the address.
	e.GET("/feeds/notes", a.feedSite, checkText)
	e.GET("/feeds/documents/:id", a.feedDocument, checkText)
	e.GET("/feeds/users/:name", a.feedUser, checkText)
	e.GET("/feeds/private/:key/replies", a.feedReplies, checkText)
	e.GET("/feeds/private/:key/classes/:id", a.feedClass, checkText)

	// Pages: small bodies (checked before anything reads the form), session,
	// text checked (checkText), CSRF on every state change.
	s := e.Group("", middleware.BodyLimit("64K"), a.loadSession, checkText, a.checkCSRF)
	s.GET("/", a.libraryShow)
	s.GET("/signup", a.signupShow)
	s.POST("/signup", a.signupSubmit)
	s.GET("/login", a.loginShow)
	s.POST("/login", a.loginSubmit)
	s.POST("/logout", a.logoutSubmit, a.requireUser)
	s.GET("/setup", a.setupShow)
	s.POST("/setup", a.setupSubmit)
	s.GET("/account", a.accountShow, a.requireUser)
	s.POST("/account/password", a.accountPasswordSubmit, a.requireUser)
	s.POST("/account/sessions", a.accountSessionsEnd, a.requireUser)
	s.GET("/account/annotations.jsonld", a.accountExport, a.requireUser)
	s.GET("/account/annotations.csv", a.accountExport, a.requireUser)
	s.GET("/documents/:id/annotations.jsonld", a.documentExport)
	s.GET("/documents/:id/annotations.csv", a.documentExport)
	s.POST("/account/tokens", a.tokenCreate, a.requireUser)
	s.POST("/account/feeds", a.feedRenew, a.requireUser)
	s.POST("/account/tokens/:id/revoke", a.tokenRevoke, a.requireUser)
	s.POST("/account/email", a.accountEmailSubmit, a.requireUser)
	s.POST("/account/email/confirm", a.accountEmailConfirm, a.requireUser)
	s.POST("/account/mail", a.accountMailSubmit, a.requireUser)
	// Links from e-mail: no login, the signed token in the path is the
	// credential. The one-click unsubscribe POST takes no CSRF token (RFC
	// 8058; see csrfExempt).
	s.GET("/mail/confirm/:token", a.mailConfirmShow)
	s.POST("/mail/confirm/:token", a.mailConfirmSubmit)
	s.GET("/mail/unsubscribe/:token", a.mailUnsubscribeShow)
	s.POST("/mail/unsubscribe/:token", a.mailUnsubscribeSubmit)

	educator := a.requireRole((*models.User).IsEducator, "educators and admins")
	s.GET("/documents/new", a.documentImportShow, educator)
	s.GET("/documents/:id", a.documentShow)
	s.GET("/documents/:id/passages/:n", a.passageShow)
	s.GET("/documents/:id/edit", a.documentEditShow, educator)
	s.POST("/documents/:id/edit", a.documentEditSubmit, educator)
	s.GET("/documents/:id/revise", a.documentReviseShow, educator)

	s.POST("/documents/:id/follow", a.documentFollow, a.requireUser)
	s.GET("/documents/:id/annotate", a.annotationNew, a.requireUser)
	s.POST("/documents/:id/annotations", a.annotationCreate, a.requireUser)
	s.GET("/annotations/:id", a.annotationShowNegotiated)
	s.GET("/annotations/:id/history", a.annotationHistory)
	s.POST("/annotations/:id/replies", a.replyCreate, a.requireUser)
	s.GET("/annotations/:id/edit", a.annotationEditShow, a.requireUser)
	s.POST("/annotations/:id/edit", a.annotationEditSubmit, a.requireUser)
	s.GET("/annotations/:id/reattach", a.annotationReattachShow, a.requireUser)
	s.POST("/annotations/:id/reattach", a.annotationReattachSubmit, a.requireUser)
	s.POST("/annotations/:id/delete", a.annotationDelete, a.requireUser)
	s.POST("/annotations/:id/helpful", a.annotationHelpful, a.requireUser)
	s.GET("/annotations/:id/flag", a.flagShow, a.requireUser)
	s.POST("/annotations/:id/flag", a.flagCreate, a.requireUser)

	// Moderation: the queues and the decisions on notes are for moderators,
	// admins and the educators of a class (who decide on their classes'
	// notes only: each action checks the note); bans, settings and the log
	// for moderators and admins only.
	queues := a.requireRole(a.mayModerate, "moderators, admins and the educators of a class")
	moderator := a.requireRole((*models.User).IsModerator, "moderators and admins")
	admin := a.requireRole((*models.User).IsAdmin, "admins")
	s.POST("/annotations/:id/moderate", a.noteModerate, moderator)
	s.GET("/moderation", a.queueShow, queues)
	s.GET("/moderation/:queue", a.queueShow, queues)
	s.POST("/moderation/bulk", a.queueBulkDecide, queues)
	s.GET("/moderation/items/:id", a.queueItemShow, queues)
	s.POST("/moderation/items/:id", a.queueItemDecide, queues)
	s.POST("/moderation/items/:id/claim", a.queueItemClaim, queues)
	s.GET("/moderation/log", a.moderationLogShow, moderator)
	s.POST("/moderation/log/:id/undo", a.decisionUndo, queues)
	s.GET("/moderation/users/:id", a.moderationUserShow, moderator)
	s.POST("/moderation/users/:id/ban", a.userBan, moderator)
	s.POST("/moderation/users/:id/unban", a.userUnban, moderator)
	s.GET("/moderation/settings", a.moderationSettingsShow, moderator)
	s.POST("/moderation/settings/premoderation", a.premoderationSubmit, moderator)
	s.POST("/moderation/settings/terms", a.blockedTermsSubmit, admin)
	s.POST("/admin/checklist/dismiss", a.checklistDismiss, admin)
	s.GET("/admin/users", a.adminUsersShow, admin)
	s.POST("/admin/users/:id/role", a.adminUserRole, admin)
	s.POST("/admin/users/:id/sessions", a.adminUserSessions, admin)
	s.GET("/admin/tokens", a.adminTokensShow, admin)
	s.POST("/admin/tokens/:id/revoke", a.adminTokenRevoke, admin)
	s.POST("/admin/origins", a.adminOriginsSubmit, admin)

	s.GET("/inbox", a.inboxShow, a.requireUser)
	s.POST("/inbox/read", a.inboxRead, a.requireUser)
	s.GET("/users/:name", a.userShow)
	s.GET("/search", a.searchShow)

	// Classes and assignments: for their members only, everyone else gets a
	// 404; the class's role (student, educator) is checked in the handler.
	s.GET("/classes", a.classList, a.requireUser)
	s.GET("/classes/new", a.classNew, educator)
	s.POST("/classes", a.classCreate, educator)
	s.GET("/classes/:id", a.classShow, a.requireUser)
	s.POST("/classes/:id/code", a.classCodeRenew, a.requireUser)
	s.GET("/classes/:id/edit", a.classEditShow, a.requireUser)
	s.POST("/classes/:id/edit", a.classEditSubmit, a.requireUser)
	s.GET("/classes/:id/roster", a.classRoster, a.requireUser)
	s.POST("/classes/:id/students/:uid/remove", a.classStudentRemove, a.requireUser)
	s.POST("/classes/:id/educators", a.classEducatorAdd, a.requireUser)
	s.POST("/classes/:id/leave", a.classLeave, a.requireUser)
	s.POST("/classes/:id/follow", a.classFollow, a.requireUser)
	s.GET("/classes/:id/annotations.csv", a.classAnnotationsCSV, a.requireUser)
	s.GET("/classes/:id/annotations.jsonld", a.classAnnotationsJSONLD, a.requireUser)
	s.GET("/classes/:id/assignments/new", a.assignmentNew, a.requireUser)
	s.GET("/join", a.joinShow, a.requireUser)
	s.GET("/join/:code", a.joinShow, a.requireUser)
	s.POST("/join", a.joinSubmit, a.requireUser)
	s.GET("/assignments", a.myAssignments, a.requireUser)
	s.GET("/assignments/:id", a.assignmentShow, a.requireUser)
	s.GET("/assignments/:id/edit", a.assignmentEditShow, a.requireUser)
	s.POST("/assignments/:id/edit", a.assignmentEditSubmit, a.requireUser)
	s.POST("/assignments/:id/delete", a.assignmentDelete, a.requireUser)
	s.POST("/assignments/:id/copy", a.assignmentCopy, a.requireUser)
	s.GET("/assignments/:id/grades.csv", a.gradesCSV, a.requireUser)
	s.GET("/assignments/:id/students/:uid", a.assignmentReview, a.requireUser)
	s.POST("/assignments/:id/students/:uid/points", a.assignmentPoints, a.requireUser)
	s.POST("/assignments/:id/students/:uid/feedback", a.feedbackCreate, a.requireUser)

	// The W3C Web Annotation API: JSON-LD, as the session or the personal
	// API token may see it. A token request needs no CSRF token and never
	// uses a cookie; errors are JSON.
	api := e.Group("", middleware.BodyLimit("1M"), a.cors, a.loadSessionOrToken, checkText, a.checkCSRFUnlessToken, apiErrors)
	api.GET("/api/annotations/:id", a.apiAnnotationShow)
	api.HEAD("/api/annotations/:id", a.apiAnnotationShow)
	api.GET("/api/documents/:id/annotations", a.apiDocumentAnnotations)
	api.HEAD("/api/documents/:id/annotations", a.apiDocumentAnnotations)
	// The Web Annotation Protocol: a container per document.
	api.GET("/documents/:id/annotations/", a.containerShow)
	api.HEAD("/documents/:id/annotations/", a.containerShow)
	api.OPTIONS("/documents/:id/annotations/", a.containerOptions)
	api.POST("/documents/:id/annotations/", a.containerPost)
	api.GET("/documents/:id/annotations/:aid", a.protocolAnnotationShow)
	api.HEAD("/documents/:id/annotations/:aid", a.protocolAnnotationShow)
	api.OPTIONS("/documents/:id/annotations/:aid", a.protocolAnnotationOptions)
	api.PUT("/documents/:id/annotations/:aid", a.protocolAnnotationPut)
	api.DELETE("/documents/:id/annotations/:aid", a.protocolAnnotationDelete)
	api.POST("/api/documents/:id/import", a.importAnnotations)
	api.GET("/documents/:id/revisions/:n/text", a.revisionText)
	api.HEAD("/documents/:id/revisions/:n/text", a.revisionText)
	s.GET("/documents/:id/annotations", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, c.Request().URL.Path+"/")
	})

	// Uploads: room for the largest document plus multipart framing.
	uploads := e.Group("", middleware.BodyLimit(bodyLimit(a.cfg.MaxImportBytes+64<<10)), a.loadSession, checkText, a.checkCSRF)
	uploads.POST("/documents", a.documentImportSubmit, educator)
	uploads.POST("/documents/:id/revise", a.documentReviseSubmit, educator)
	uploads.POST("/classes/:id/assignments", a.assignmentCreate, a.requireUser)
}
