package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// mailAccount is the account page's e-mail section.
type mailAccount struct {
	Enabled   bool // the site has an SMTP server
	Email     string
	Confirmed bool
	Settings  models.MailSettings
	Teaches   bool
}

func (a *App) mailAccountData(u *models.User) (mailAccount, error) {
	s, err := models.MailSettingsOf(a.db, u.ID)
	if err != nil {
		return mailAccount{}, err
	}
	teaches, err := models.TeachesAny(a.db, u.ID)
	return mailAccount{Enabled: a.cfg.MailEnabled, Email: u.Email, Confirmed: s.Confirmed(u.Email), Settings: s, Teaches: teaches}, err
}

// accountEmailSubmit changes the account's address; mail stops until the
// new one is confirmed by the link sent to it.
func (a *App) accountEmailSubmit(c echo.Context) error {
	u := a.currentUser(c)
	was := u.Email
	err := models.SetEmail(a.db, u, c.FormValue("email"), a.now())
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		return a.renderAccountForm(c, fe)
	}
	if err != nil {
		return err
	}
	switch {
	case u.Email == was:
		a.setFlash(c, "Your address is unchanged.")
	case u.Email == "":
		a.setFlash(c, "Your address is removed: Margin sends you no e-mail.")
	default:
		a.setFlash(c, "Address saved. "+a.confirmationSent(u.Email))
	}
	return redirect(c, "/account#email")
}

// confirmationSent tells what happens to the link that confirms address.
func (a *App) confirmationSent(address string) string {
	if !a.cfg.MailEnabled {
		return "This site sends no e-mail yet: the link to confirm " + address + " goes out once it does."
	}
	return "Open the link we sent to " + address + " to confirm it; until then nothing else is sent there."
}

// accountEmailConfirm sends the confirmation link again (one an hour).
func (a *App) accountEmailConfirm(c echo.Context) error {
	u := a.currentUser(c)
	if u.Email == "" {
		a.setFlash(c, "Give an address first.")
		return redirect(c, "/account#email")
	}
	if err := models.QueueConfirmation(a.db, u, a.now()); err != nil {
		return err
	}
	a.setFlash(c, "A new link is queued (one an hour, and five a day to one address, at most). "+a.confirmationSent(u.Email))
	return redirect(c, "/account#email")
}

// accountMailSubmit saves what the reader wants by e-mail.
func (a *App) accountMailSubmit(c echo.Context) error {
	in := models.MailChoice{Replies: models.MailMode(c.FormValue("replies")),
		Follows: models.MailMode(c.FormValue("follows")), Teaching: models.MailMode(c.FormValue("teaching"))}
	if in.Teaching == "" {
		in.Teaching = models.MailDigest // the field shows to educators only
	}
	err := models.SaveMailChoice(a.db, a.currentUser(c).ID, in)
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		return a.renderAccountForm(c, fe)
	}
	if err != nil {
		return err
	}
	a.setFlash(c, "Your e-mail settings are saved.")
	return redirect(c, "/account#email")
}

// mailLinkPage is the page of a link from a message.
type mailLinkPage struct {
	Token    string
	Username string
	Email    string
	List     string
	Done     bool
}

// confirmUser reads a confirmation link; a bad one is a 404, an old one a 410.
func (a *App) confirmUser(c echo.Context) (*models.User, error) {
	u, err := models.UserByConfirmToken(a.db, a.cfg.SessionHashKey, c.Param("token"), a.now())
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil, echo.NewHTTPError(http.StatusNotFound, "This link is not valid: it may be for an address the account no longer uses.")
	case errors.Is(err, models.ErrLinkExpired):
		return nil, echo.NewHTTPError(http.StatusGone, "This link has expired. Log in and send a new one from your account page.")
	}
	return u, err
}

// mailConfirmShow asks to confirm: a GET changes nothing, since mail
// scanners open links.
func (a *App) mailConfirmShow(c echo.Context) error {
	u, err := a.confirmUser(c)
	if err != nil {
		return err
	}
	s, err := models.MailSettingsOf(a.db, u.ID)
	if err != nil {
		return err
	}
	page := &mailLinkPage{Token: c.Param("token"), Username: u.Username, Email: u.Email, Done: s.Confirmed(u.Email)}
	return a.render(c, http.StatusOK, "mail_confirm", a.newTemplateData(c, "Confirm your address", page))
}

func (a *App) mailConfirmSubmit(c echo.Context) error {
	u, err := a.confirmUser(c)
	if err != nil {
		return err
	}
	if err := models.ConfirmEmail(a.db, u, a.now()); err != nil {
		return err
	}
	page := &mailLinkPage{Username: u.Username, Email: u.Email, Done: true}
	return a.render(c, http.StatusOK, "mail_confirm", a.newTemplateData(c, "Address confirmed", page))
}

func (a *App) unsubscribeTarget(c echo.Context) (*models.User, string, error) {
	uid, list, err := models.ParseUnsubscribeToken(a.cfg.SessionHashKey, c.Param("token"))
	if err != nil {
		return nil, "", echo.NewHTTPError(http.StatusNotFound, "This unsubscribe link is not valid.")
	}
	u, err := models.UserByID(a.db, uid)
	if errors.Is(err, models.ErrNotFound) {
		return nil, "", echo.NewHTTPError(http.StatusNotFound, "This account is gone: it gets no e-mail.")
	}
	return u, list, err
}

// mailUnsubscribeShow says what the link turns off, with a button: a GET
// changes nothing, since mail scanners open links.
func (a *App) mailUnsubscribeShow(c echo.Context) error {
	u, list, err := a.unsubscribeTarget(c)
	if err != nil {
		return err
	}
	page := &mailLinkPage{Token: c.Param("token"), Username: u.Username, List: list}
	return a.render(c, http.StatusOK, "mail_unsubscribe", a.newTemplateData(c, "Unsubscribe", page))
}

// mailUnsubscribeSubmit is the one-click unsubscribe of RFC 8058: the mail
// client POSTs List-Unsubscribe=One-Click with no cookie and no CSRF token
// (see csrfExempt), the button of the page above the same. The signed
// token in the path is the credential, and all it can do is stop mail.
func (a *App) mailUnsubscribeSubmit(c echo.Context) error {
	u, list, err := a.unsubscribeTarget(c)
	if err != nil {
		return err
	}
	if err := models.Unsubscribe(a.db, u.ID, list); err != nil {
		return err
	}
	page := &mailLinkPage{Username: u.Username, List: list, Done: true}
	return a.render(c, http.StatusOK, "mail_unsubscribe", a.newTemplateData(c, "Unsubscribed", page))
}

// documentFollow follows a document, or stops (follow=0): its new notes
// come in the reader's daily digest, as they may see them.
func (a *App) documentFollow(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	follow := c.FormValue("follow") != "0"
	if err := models.SetFollowing(a.db, a.currentUser(c).ID, doc.ID, 0, follow, a.now()); err != nil {
		return err
	}
	a.setFlash(c, a.followFlash(follow, doc.Title))
	return redirect(c, fmt.Sprintf("/documents/%d", doc.ID))
}

// classFollow follows a class the user belongs to, or stops (follow=0).
func (a *App) classFollow(c echo.Context) error {
	class, _, err := a.classParam(c)
	if err != nil {
		return err
	}
	follow := c.FormValue("follow") != "0"
	if err := models.SetFollowing(a.db, a.currentUser(c).ID, 0, class.ID, follow, a.now()); err != nil {
		return err
	}
	a.setFlash(c, a.followFlash(follow, class.Name))
	return redirect(c, classPath(class.ID))
}

func (a *App) followFlash(follow bool, title string) string {
	if !follow {
		return "You no longer follow " + title + "."
	}
	msg := "You follow " + title + ": its new notes come in your daily digest."
	if !a.cfg.MailEnabled {
		msg += " (This site sends no e-mail yet.)"
	}
	return msg
}

// followArg is what the follow-form partial gets.
type followArg struct {
	Data      *templateData
	Action    string
	Following bool
}
