package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// banDurations are the lengths a moderator may choose; "forever" is for good.
var banDurations = []struct {
	Value, Label string
	Length       time.Duration
}{
	{"1d", "1 day", 24 * time.Hour},
	{"7d", "7 days", 7 * 24 * time.Hour},
	{"30d", "30 days", 30 * 24 * time.Hour},
	{"forever", "For good", 0},
}

// moderationUserPage is an author's record for moderators, with the ban forms.
type moderationUserPage struct {
	Profile   *models.User
	Standing  models.Standing
	Joined    string
	CanBan    bool
	Banned    bool
	Forever   bool
	History   []models.Decision
	Durations any
}

func (a *App) moderationUserShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := models.UserByID(a.db, id)
	if err != nil {
		return err
	}
	standing, err := models.AuthorStanding(a.db, a.currentUser(c), u.ID)
	if err != nil {
		return err
	}
	history, err := models.DecisionsAboutUser(a.db, a.currentUser(c), u.ID, 50)
	if err != nil {
		return err
	}
	page := moderationUserPage{Profile: u, Standing: standing, Joined: ago(u.CreatedAt, a.now()), History: history,
		CanBan: models.CanBan(a.currentUser(c), u), Banned: u.IsBanned(a.now()),
		Forever: u.BannedUntil != nil && !u.BannedUntil.Before(models.BannedForever), Durations: banDurations}
	return a.render(c, http.StatusOK, "moderation_user", a.newTemplateData(c, "Moderation: "+u.Username, page))
}

// userBan bans an author for a time or for good: their sessions end at
// once and their notes awaiting review go to spam.
func (a *App) userBan(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var until *time.Time
	found := false
	for _, d := range banDurations {
		if d.Value == c.FormValue("duration") {
			found = true
			if d.Length > 0 {
				t := a.now().Add(d.Length)
				until = &t
			}
		}
	}
	if !found {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose how long the ban lasts.")
	}
	d, err := models.Ban(a.db, a.currentUser(c), id, until, c.FormValue("note"), a.now())
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, strings.Join(fieldMessages(fe), " "))
	}
	if errors.Is(err, models.ErrForbidden) {
		return echo.NewHTTPError(http.StatusForbidden, "Moderators ban readers and educators; admins also ban moderators. No one bans an admin.")
	}
	if err != nil {
		return err
	}
	a.reportBanToAkismet(c, d)
	if d.Forever() {
		a.setFlash(c, "Banned for good. Their sessions have ended and their waiting notes are in the spam queue.")
	} else {
		a.setFlash(c, "Banned until "+when(*d.BanUntil)+". Their sessions have ended and their waiting notes are in the spam queue.")
	}
	return redirect(c, fmt.Sprintf("/moderation/users/%d", id))
}

// reportBanToAkismet tells Akismet of the notes a ban sent to spam, as a
// moderator's own spam verdicts are. The ban stands whatever Akismet says.
// All the reports share one deadline and stop at the first failure, so a
// ban of a prolific spammer does not keep the moderator waiting on a slow
// or absent Akismet, 4 seconds a note.
func (a *App) reportBanToAkismet(c echo.Context, ban *models.Decision) {
	if a.cfg.Screen.Akismet == nil {
		return
	}
	spam, err := models.BanSpamDecisions(a.db, ban.ID)
	if err != nil {
		a.log.Warn("list a ban's spam for Akismet", "decision", ban.ID, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), banReportTime)
	defer cancel()
	for i := range spam {
		if err := models.ReportDecision(ctx, a.db, a.cfg.Screen.Akismet, &spam[i]); err != nil {
			a.log.Warn("report a ban's spam to Akismet", "decision", spam[i].ID, "left", len(spam)-i, "err", err)
			return
		}
	}
}

// banReportTime bounds the Akismet reports of one ban.
const banReportTime = 8 * time.Second

func (a *App) userUnban(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	_, err = models.Unban(a.db, a.currentUser(c), id, c.FormValue("note"), a.now())
	if err != nil {
		return modelMessage(err)
	}
	a.setFlash(c, "The ban is lifted.")
	return redirect(c, fmt.Sprintf("/moderation/users/%d", id))
}

func fieldMessages(fe models.FieldErrors) []string {
	var out []string
	for _, m := range fe {
		out = append(out, m)
	}
	return out
}

// settingsPage is pre-moderation, the blocked terms and the classifier's state.
type settingsPage struct {
	Site      bool
	Held      []models.Document
	Documents []models.DocumentSummary
	HoldTerms string
	SpamTerms string
	Model     models.SpamModelStats
	CanEdit   bool // blocked terms are the admins'
}

func (a *App) moderationSettingsShow(c echo.Context) error {
	page, err := a.settingsData(c)
	if err != nil {
		return err
	}
	data := a.newTemplateData(c, "Moderation settings", page)
	data.Form = map[string][]string{"hold": {page.HoldTerms}, "spam": {page.SpamTerms}}
	return a.render(c, http.StatusOK, "moderation_settings", data)
}

func (a *App) settingsData(c echo.Context) (settingsPage, error) {
	var page settingsPage
	var err error
	settings, err := models.ReadScreenSettings(a.db, 0)
	if err != nil {
		return page, err
	}
	page.Site = settings.Site
	if page.Held, err = models.PremoderatedDocuments(a.db); err != nil {
		return page, err
	}
	if page.Documents, err = models.ListDocuments(a.db); err != nil {
		return page, err
	}
	var hold, spam []string
	for _, t := range settings.Terms {
		if t.Action == models.StatusSpam {
			spam = append(spam, t.Term)
		} else {
			hold = append(hold, t.Term)
		}
	}
	page.HoldTerms, page.SpamTerms = strings.Join(hold, "\n"), strings.Join(spam, "\n")
	page.Model, err = models.SpamModelInfo(a.db)
	page.CanEdit = a.currentUser(c).IsAdmin()
	return page, err
}

// premoderationSubmit puts the site, or one document, on pre-moderation or off.
func (a *App) premoderationSubmit(c echo.Context) error {
	on := c.FormValue("on") == "1"
	mod := a.currentUser(c)
	var err error
	if doc := c.FormValue("document"); doc != "" {
		id, perr := strconv.ParseUint(doc, 10, 32)
		if perr != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "Choose a document.")
		}
		err = models.SetDocumentPremoderation(a.db, mod, uint(id), on, a.now())
	} else {
		err = models.SetSitePremoderation(a.db, mod, on, a.now())
	}
	if err != nil {
		return err
	}
	a.setFlash(c, "Saved.")
	return redirect(c, "/moderation/settings")
}

// blockedTermsSubmit replaces the blocked terms (admins only).
func (a *App) blockedTermsSubmit(c echo.Context) error {
	hold, msg := models.ParseTerms(c.FormValue("hold"))
	spam, msg2 := models.ParseTerms(c.FormValue("spam"))
	fe := models.FieldErrors{}
	if msg != "" {
		fe["hold"] = msg
	}
	if msg2 != "" {
		fe["spam"] = msg2
	}
	if len(fe) == 0 {
		err := models.SetBlockedTerms(a.db, a.currentUser(c), hold, spam, a.now())
		if errors.Is(err, models.ErrTermInBothLists) {
			fe["spam"] = "A term is in both lists; keep it in one."
		} else if err != nil {
			return err
		}
	}
	if len(fe) > 0 {
		page, err := a.settingsData(c)
		if err != nil {
			return err
		}
		return a.renderForm(c, "moderation_settings", "Moderation settings", fe, page)
	}
	a.setFlash(c, fmt.Sprintf("Saved: %s held, %s spam.", plural(len(hold), "term"), plural(len(spam), "term")))
	return redirect(c, "/moderation/settings")
}

// flagPage is the form a reader flags a note with.
type flagPage struct {
	Annotation *models.Annotation
	Reasons    []models.FlagReason
}

// flaggable loads a note the current reader may flag.
func (a *App) flaggable(c echo.Context) (*models.Annotation, error) {
	ann, err := a.annotationParam(c)
	if err != nil {
		return nil, err
	}
	u := a.currentUser(c)
	switch {
	case ann.AuthorID == u.ID:
		return nil, echo.NewHTTPError(http.StatusForbidden, "You cannot flag your own note.")
	case ann.IsDeleted() || ann.Status != models.StatusPublished:
		return nil, echo.NewHTTPError(http.StatusConflict, "This note is already out of view.")
	}
	if done, err := models.HasFlagged(a.db, u.ID, ann.ID); err != nil || done {
		if err == nil {
			err = echo.NewHTTPError(http.StatusConflict, "You have already flagged this note. Thank you: a moderator will look at it.")
		}
		return nil, err
	}
	return ann, nil
}

func (a *App) flagShow(c echo.Context) error {
	ann, err := a.flaggable(c)
	if err != nil {
		return err
	}
	return a.renderForm(c, "moderation_flag", "Flag a note", nil, flagPage{Annotation: ann, Reasons: models.FlagReasons})
}

// flagLimits bound flags per reader, so a few accounts cannot sweep notes
// out of view faster than moderators restore them.
func (a *App) flagLimits(u *models.User) []models.Limit {
	return []models.Limit{{Bucket: "flag-user:" + strconv.FormatUint(uint64(u.ID), 10), Max: 20, Window: time.Hour}}
}

func (a *App) flagCreate(c echo.Context) error {
	ann, err := a.flaggable(c)
	if err != nil {
		return err
	}
	u := a.currentUser(c)
	in := models.FlagInput{Reason: models.FlagReason(c.FormValue("reason")), Note: c.FormValue("note"), Limits: a.flagLimits(u)}
	hidden, err := models.FlagAnnotation(a.db, u, ann, in, a.cfg.Screen.FlagThreshold, a.now())
	var fe models.FieldErrors
	var full *models.RateLimitError
	switch {
	case a.formFailed(err, &fe):
		return a.renderForm(c, "moderation_flag", "Flag a note", fe, flagPage{Annotation: ann, Reasons: models.FlagReasons})
	case errors.As(err, &full):
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(full.Until.Sub(a.now()).Seconds())+1))
		return echo.NewHTTPError(http.StatusTooManyRequests, "You have flagged many notes lately. Thank you; try again later.")
	case err != nil:
		return modelMessage(err)
	}
	if hidden {
		a.setFlash(c, "Thank you. Enough readers flagged this note that it is hidden until a moderator reviews it.")
		return redirect(c, fmt.Sprintf("/documents/%d#p-%d", ann.DocumentID, ann.PassageNumber))
	}
	a.setFlash(c, "Thank you. A moderator will look at this note.")
	return redirect(c, fmt.Sprintf("/annotations/%d", ann.ID))
}
