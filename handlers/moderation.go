package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// queuePageSize is how many notes a queue page shows.
const queuePageSize = 50

// queueItemView is a note in a queue with what the page says about it.
type queueItemView struct {
	models.QueueItem
	Joined      string // how long ago the author signed up
	JoinedShort string // the same in a queue's few characters
	Banned      bool
	// Trust is the author's standing as screening reads it now, and
	// TrustShort the same in a few words for a compact queue item.
	Trust, TrustShort string
	// Actions are the decisions offered: keep, hide or spam for a note
	// readers flagged, approve, not spam, spam or reject otherwise.
	Actions []models.Action
}

// modItemArg is what the "mod-item" template gets.
type modItemArg struct {
	D      *templateData
	Item   queueItemView
	Detail bool // the page of one note, not a queue
}

// modFlagArg is what the "mod-flag" template gets.
type modFlagArg struct {
	D    *templateData
	Item queueItemView
	Flag models.Flag
}

// queuePage is a moderation queue.
type queuePage struct {
	Queue  models.Queue
	Queues []models.Queue
	Counts models.QueueCounts
	Items  []queueItemView
	More   bool
	// Recent are this moderator's latest decisions, to undo a slip at once.
	Recent  []models.Decision
	Actions []models.Action
}

// itemViews reads each author's standing afresh (once per author and
// class), so an item says what holds when it is shown: the reasons
// recorded when the note came in go stale as soon as a moderator approves
// another of the author's notes.
func (a *App) itemViews(items []models.QueueItem) ([]queueItemView, error) {
	cfg := a.cfg.Screen.WithDefaults()
	type scope struct {
		author uint
		class  uint
	}
	trust := map[scope][2]string{}
	out := make([]queueItemView, len(items))
	for i, it := range items {
		ann := it.Annotation
		k := scope{author: ann.AuthorID}
		if ann.Visibility == models.VisibilityClass && ann.ClassID != nil {
			k.class = *ann.ClassID
		}
		line, ok := trust[k]
		if !ok {
			st, err := models.StandingFor(a.db, ann, max(cfg.TrustedAfter, cfg.NewAccountHeld, standingShownUpTo))
			if err != nil {
				return nil, err
			}
			line = [2]string{trustLine(st, cfg, k.class != 0), trustShort(st, cfg)}
			trust[k] = line
		}
		out[i] = queueItemView{QueueItem: it, Joined: ago(ann.Author.CreatedAt, a.now()), JoinedShort: agoShort(ann.Author.CreatedAt, a.now()),
			Banned: ann.Author.IsBanned(a.now()), Trust: line[0], TrustShort: line[1], Actions: models.HeldActions}
		if len(it.Flags) > 0 {
			out[i].Actions = models.FlagActions
		}
	}
	return out, nil
}

// trustShort is trustLine in a few words.
func trustShort(st models.Standing, cfg models.ScreenConfig) string {
	switch {
	case st.Spam > 0:
		return fmt.Sprintf("%d approved, has spam", st.Approved)
	case st.Approved >= cfg.TrustedAfter:
		return fmt.Sprintf("trusted, %d approved", st.Approved)
	case cfg.NewAccountHeld > 0 && st.Approved < cfg.NewAccountHeld:
		return fmt.Sprintf("new account, %d of %d approved", st.Approved, cfg.NewAccountHeld)
	}
	return fmt.Sprintf("%d approved, trusted at %d", st.Approved, cfg.TrustedAfter)
}

// standingShownUpTo bounds the approved notes a queue item counts.
const standingShownUpTo = 1000

// trustLine says what screening makes of an author's standing st.
func trustLine(st models.Standing, cfg models.ScreenConfig, class bool) string {
	approved := plural(st.Approved, "note") + " approved"
	if st.Approved >= standingShownUpTo {
		approved = "at least " + approved
	}
	if class {
		approved += " in public or in this class"
	}
	switch {
	case st.Spam > 0:
		return approved + ", but a note of theirs was marked spam: not trusted"
	case st.Approved >= cfg.TrustedAfter:
		return fmt.Sprintf("Trusted (%s, no spam): links, speed and the classifier no longer hold their notes", approved)
	case cfg.NewAccountHeld > 0 && st.Approved < cfg.NewAccountHeld:
		return fmt.Sprintf("New account: %d of %d approved notes needed before their notes publish at once", st.Approved, cfg.NewAccountHeld)
	}
	return fmt.Sprintf("%s; trusted at %d", sentence(approved, ""), cfg.TrustedAfter)
}

// queueShow lists one queue: /moderation is the pending one.
func (a *App) queueShow(c echo.Context) error {
	q := models.QueuePending
	if name := c.Param("queue"); name != "" {
		q = models.Queue(name)
	}
	valid := false
	for _, x := range models.Queues {
		valid = valid || x == q
	}
	if !valid {
		return models.ErrNotFound
	}
	mod := a.currentUser(c)
	items, err := models.QueueItems(a.db, mod, q, queuePageSize+1, a.now())
	if err != nil {
		return err
	}
	counts, err := models.CountQueues(a.db, mod)
	if err != nil {
		return err
	}
	recent, err := models.RecentDecisionsBy(a.db, mod, 3)
	if err != nil {
		return err
	}
	page := queuePage{Queue: q, Queues: models.Queues, Counts: counts, Recent: recent, Actions: models.HeldActions}
	if q == models.QueueFlagged {
		page.Actions = models.FlagActions
	}
	if len(items) > queuePageSize {
		items, page.More = items[:queuePageSize], true
	}
	if page.Items, err = a.itemViews(items); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "moderation", a.newTemplateData(c, "Moderation: "+q.Label(), page))
}

// queueItemPage is one note under review, with its history.
type queueItemPage struct {
	Item    queueItemView
	History []models.Decision
	CanBan  bool
	Actions []models.Action
}

// queueItemShow opens a note for review and claims it, so that other
// moderators see that someone has it open.
func (a *App) queueItemShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	mod := a.currentUser(c)
	it, err := models.QueueItemByID(a.db, mod, id, a.now())
	if err != nil {
		return err
	}
	if it.Claim == nil {
		if _, err := models.ClaimItem(a.db, mod, id, a.now()); err != nil {
			return err
		}
	}
	history, err := models.DecisionsAbout(a.db, id)
	if err != nil {
		return err
	}
	views, err := a.itemViews([]models.QueueItem{*it})
	if err != nil {
		return err
	}
	page := queueItemPage{Item: views[0], History: history, CanBan: models.CanBan(mod, &it.Annotation.Author), Actions: views[0].Actions}
	return a.render(c, http.StatusOK, "moderation_item", a.newTemplateData(c, "Review a note", page))
}

// queueItemClaim claims a note for the moderator, for the keyboard
// script, and says who holds it.
func (a *App) queueItemClaim(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	mod := a.currentUser(c)
	if _, err := models.QueueItemByID(a.db, mod, id, a.now()); err != nil {
		return err
	}
	claim, err := models.ClaimItem(a.db, mod, id, a.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"moderator": claim.Moderator.Username, "mine": claim.ModeratorID == mod.ID})
}

// queueItemDecide applies approve, reject, spam, not-spam or hide to one note.
func (a *App) queueItemDecide(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	action, ok := models.ParseItemAction(c.FormValue("action"))
	if !ok {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose approve, reject, spam, not spam, hide or keep.")
	}
	d, err := a.decide(c, id, action, c.FormValue("note"))
	if err != nil {
		return err
	}
	a.setFlash(c, fmt.Sprintf("Note #%d %s%s. The log can undo it.", id, d.Action.Label(), flagsOutcome(d)))
	return redirect(c, backTo(c, "/moderation"))
}

// flagsOutcome says what a decision did with readers' flags, for a flash.
func flagsOutcome(d *models.Decision) string {
	if d.Flags == 0 {
		return ""
	}
	if d.FlagsUpheld() {
		return ", " + plural(d.Flags, "flag") + " upheld"
	}
	return ", " + plural(d.Flags, "flag") + " dismissed"
}

// decide applies one decision and tells Akismet about it.
func (a *App) decide(c echo.Context, id uint, action models.Action, note string) (*models.Decision, error) {
	mod := a.currentUser(c)
	ann, err := models.AnnotationByID(a.db, id)
	if err != nil {
		return nil, err
	}
	if ok, err := models.CanModerate(a.db, mod, ann); err != nil || !ok {
		if err == nil {
			err = models.ErrNotFound
		}
		return nil, err
	}
	if seen, err := strconv.ParseInt(c.FormValue(fmt.Sprintf("seen-%d", id)), 10, 64); err == nil &&
		ann.EditedAt != nil && ann.EditedAt.UnixNano() > seen {
		return nil, echo.NewHTTPError(http.StatusConflict,
			fmt.Sprintf("Its author edited note #%d after you opened it; read it again before deciding.", id))
	}
	d, err := models.Decide(a.db, mod, id, action, note, a.now())
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		return nil, echo.NewHTTPError(http.StatusUnprocessableEntity, fe["note"])
	}
	if err != nil {
		return nil, modelMessage(err)
	}
	if mod.IsModerator() { // as the classifier: only site moderators teach it
		a.reportToAkismet(c, d)
	}
	return d, nil
}

// reportToAkismet passes a verdict on to Akismet, when it is configured.
// A failure is logged: the decision stands either way.
func (a *App) reportToAkismet(c echo.Context, d *models.Decision) {
	if a.cfg.Screen.Akismet == nil {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 4*time.Second)
	defer cancel()
	if err := models.ReportDecision(ctx, a.db, a.cfg.Screen.Akismet, d); err != nil {
		a.log.Warn("report a decision to Akismet", "decision", d.ID, "err", err)
	}
}

// modelMessage turns a model conflict or refusal into a 409 or 403 page
// that says why (a bare ErrForbidden keeps the general message).
func modelMessage(err error) error {
	switch {
	case errors.Is(err, models.ErrConflict):
		return echo.NewHTTPError(http.StatusConflict, sentence(err.Error(), "conflict: "))
	case errors.Is(err, models.ErrForbidden):
		return echo.NewHTTPError(http.StatusForbidden, sentence(err.Error(), "forbidden: "))
	}
	return err
}

// queueBulkDecide applies one action to every selected note.
func (a *App) queueBulkDecide(c echo.Context) error {
	action, ok := models.ParseItemAction(c.FormValue("action"))
	if !ok {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose what to do with the selected notes.")
	}
	form, _ := c.FormParams()
	ids := form["ids"]
	if len(ids) == 0 {
		a.setFlash(c, "Select some notes first.")
		return redirect(c, backTo(c, "/moderation"))
	}
	if len(ids) > queuePageSize {
		return echo.NewHTTPError(http.StatusBadRequest, "Select at most one page of notes.")
	}
	done, failed := 0, 0
	for _, raw := range ids {
		id, err := strconv.ParseUint(raw, 10, 32)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "A selected note is not a number.")
		}
		_, err = a.decide(c, uint(id), action, c.FormValue("note"))
		var he *echo.HTTPError
		switch {
		case err == nil:
			done++
		case errors.As(err, &he) && he.Code == http.StatusConflict, errors.Is(err, models.ErrNotFound):
			failed++ // deleted or decided on meanwhile: the rest still go through
		default:
			return err
		}
	}
	msg := fmt.Sprintf("%s %s.", sentence(plural(done, "note"), ""), action.Label())
	if failed > 0 {
		msg += fmt.Sprintf(" %s could not be: deleted or moderated meanwhile.", plural(failed, "other"))
	}
	a.setFlash(c, msg)
	return redirect(c, backTo(c, "/moderation"))
}

// noteModerate is the Hide and Restore buttons on notes: logged decisions
// like the queue's (restore approves).
func (a *App) noteModerate(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	action := models.ActionHide
	if c.FormValue("action") == "restore" {
		action = models.ActionApprove
	}
	d, err := a.decide(c, id, action, c.FormValue("note"))
	if err != nil {
		return err
	}
	a.setFlash(c, "The annotation is now "+string(d.ToStatus)+".")
	return redirect(c, fmt.Sprintf("/annotations/%d", id))
}

// logPage is the moderation log.
type logPage struct {
	Entries []models.Decision
	Page    int
	More    bool
}

const logPageSize = 100

func (a *App) moderationLogShow(c echo.Context) error {
	n, _ := strconv.Atoi(c.QueryParam("page"))
	n = max(n, 1)
	entries, err := models.DecisionLog(a.db, a.currentUser(c), logPageSize+1, (n-1)*logPageSize)
	if err != nil {
		return err
	}
	page := logPage{Entries: entries, Page: n}
	if len(entries) > logPageSize {
		page.Entries, page.More = entries[:logPageSize], true
	}
	return a.render(c, http.StatusOK, "moderation_log", a.newTemplateData(c, "Moderation log", page))
}

// decisionUndo takes back a decision from the log.
func (a *App) decisionUndo(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	mod := a.currentUser(c)
	undo, err := models.Undo(a.db, mod, id, c.FormValue("note"), a.now())
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, fe["note"])
	}
	if err != nil {
		return modelMessage(err)
	}
	if mod.IsModerator() { // an educator's decisions never reached Akismet
		a.reportToAkismet(c, undo)
	}
	a.setFlash(c, "Undone.")
	return redirect(c, backTo(c, "/moderation/log"))
}

// ago says how long ago t was, roughly.
func ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Hour:
		return "less than an hour ago"
	case d < 48*time.Hour:
		return plural(int(d.Hours()), "hour") + " ago"
	case d < 60*24*time.Hour:
		return plural(int(d.Hours()/24), "day") + " ago"
	case d < 730*24*time.Hour:
		return plural(int(d.Hours()/24/30), "month") + " ago"
	}
	return plural(int(d.Hours()/24/365), "year") + " ago"
}

// agoShort is ago in a few characters: "<1 h ago", "5 h ago", "3 d ago".
func agoShort(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Hour:
		return "<1 h ago"
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%d d ago", int(d.Hours()/24))
	case d < 730*24*time.Hour:
		return fmt.Sprintf("%d mo ago", int(d.Hours()/24/30))
	}
	return fmt.Sprintf("%d y ago", int(d.Hours()/24/365))
}

// sentence drops a prefix and capitalises what is left.
func sentence(s, prefix string) string {
	s = strings.TrimPrefix(s, prefix)
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
