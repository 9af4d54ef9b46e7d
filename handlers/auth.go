package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
)

type loginPage struct{ Next string }

func (a *App) signupShow(c echo.Context) error {
	if a.currentUser(c) != nil {
		return redirect(c, "/")
	}
	return a.renderForm(c, "signup", "Sign up", nil, nil)
}

func (a *App) signupSubmit(c echo.Context) error {
	n := models.NewUser{
		Username: c.FormValue("username"),
		Email:    c.FormValue("email"),
		Password: c.FormValue("password"),
	}
	if fe := accountFormErrors(n, c.FormValue("password_confirm")); fe != nil {
		return a.renderForm(c, "signup", "Sign up", fe, nil)
	}
	// Accounts from one address are limited, so a script cannot mint
	// thousands of them to get past the new-account rules.
	// The account is counted before it is made (and its password hashed),
	// so sign-ups sent at once cannot outrun the limit; one that fails
	// gives its place back.
	limit := []models.Limit{{Bucket: "signup-ip:" + c.RealIP(), Max: a.cfg.SignupsPerIP, Window: time.Hour}}
	now := a.now()
	try, err := models.RateReserve(a.db, limit, now)
	var full *models.RateLimitError
	if errors.As(err, &full) {
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(full.Until.Sub(now).Seconds()))))
		data := a.newTemplateData(c, "Sign up", nil)
		data.Errors = models.FieldErrors{"form": "Too many accounts were made from your address. Try again " + waitPhrase(full.Until.Sub(now)) + "."}
		data.Form, _ = c.FormParams()
		return a.render(c, http.StatusTooManyRequests, "signup", data)
	}
	if err != nil {
		return err
	}
	u, err := models.CreateUser(a.db, n, a.cfg.PasswordCost)
	if err != nil {
		if rerr := try.Release(a.db); rerr != nil {
			return rerr
		}
	}
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		return a.renderForm(c, "signup", "Sign up", fe, nil)
	}
	if err != nil {
		return err
	}
	if err := a.login(c, u); err != nil {
		return err
	}
	welcome := "Welcome to Margin, " + u.Username + "."
	if u.Email != "" {
		welcome += " " + a.confirmationSent(u.Email)
	}
	a.setFlash(c, welcome)
	return redirect(c, "/")
}

func (a *App) loginShow(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if a.currentUser(c) != nil {
		return redirect(c, next)
	}
	return a.renderForm(c, "login", "Log in", nil, loginPage{Next: next})
}

func (a *App) loginLimits(username, ip string) []models.Limit {
	return []models.Limit{
		{Bucket: "login-user:" + models.NormalizeUsername(username), Max: a.cfg.LoginPerUser, Window: a.cfg.LoginWindow},
		{Bucket: "login-ip:" + ip, Max: a.cfg.LoginPerIP, Window: a.cfg.LoginWindow},
	}
}

func (a *App) loginSubmit(c echo.Context) error {
	username := c.FormValue("username")
	page := loginPage{Next: safeNext(c.FormValue("next"))}
	limits := a.loginLimits(username, c.RealIP())
	now := a.now()
	// The try is counted before the password is hashed, so tries sent at
	// once, to any instance, are each counted before any is checked: at
	// most the limit's worth of hashes run. A right password gives it back.
	try, err := models.RateReserve(a.db, limits, now)
	var full *models.RateLimitError
	if errors.As(err, &full) {
		data := a.newTemplateData(c, "Log in", page)
		data.Errors = models.FieldErrors{"form": "Too many failed attempts. Try again " + waitPhrase(full.Until.Sub(now)) + "."}
		data.Form, _ = c.FormParams()
		c.Response().Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(full.Until.Sub(now).Seconds()))))
		return a.render(c, http.StatusTooManyRequests, "login", data)
	}
	if err != nil {
		return err
	}
	u, err := models.Authenticate(a.db, username, c.FormValue("password"), a.cfg.PasswordCost)
	if errors.Is(err, models.ErrBadCredentials) {
		return a.renderForm(c, "login", "Log in", models.FieldErrors{"form": "Wrong username or password."}, page)
	}
	if err != nil {
		return err
	}
	if err := try.Release(a.db); err != nil {
		return err
	}
	if u.IsBanned(now) {
		msg := "This account is suspended."
		if u.BannedUntil != nil && u.BannedUntil.Year() < 9999 {
			msg = "This account is suspended until " + u.BannedUntil.UTC().Format("2 January 2006 15:04 MST") + "."
		}
		return a.renderForm(c, "login", "Log in", models.FieldErrors{"form": msg}, page)
	}
	if err := models.RateClear(a.db, limits[0].Bucket); err != nil {
		return err
	}
	if err := a.login(c, u); err != nil {
		return err
	}
	return redirect(c, page.Next)
}

// waitPhrase says how long to wait in words: "in 4 minutes".
func waitPhrase(d time.Duration) string {
	if d < time.Minute {
		s := int(math.Ceil(d.Seconds()))
		if s == 1 {
			return "in 1 second"
		}
		return fmt.Sprintf("in %d seconds", s)
	}
	m := int(math.Ceil(d.Minutes()))
	if m == 1 {
		return "in 1 minute"
	}
	return fmt.Sprintf("in %d minutes", m)
}

func (a *App) logoutSubmit(c echo.Context) error {
	if err := a.logout(c); err != nil {
		return err
	}
	a.setFlash(c, "You are logged out.")
	return redirect(c, "/")
}

type setupPage struct{ Token string }

func (a *App) setupShow(c echo.Context) error {
	token := c.QueryParam("token")
	ok, err := models.SetupTokenValid(a.db, token, a.now())
	if err != nil {
		return err
	}
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "This set-up link is not valid: it was used already, it expired, or the site has an admin.")
	}
	return a.renderForm(c, "setup", "Create the admin account", nil, setupPage{Token: token})
}

func (a *App) setupSubmit(c echo.Context) error {
	token := c.FormValue("token")
	page := setupPage{Token: token}
	// The link first: without a valid one, the form's errors are no one's business.
	if ok, err := models.SetupTokenValid(a.db, token, a.now()); err != nil {
		return err
	} else if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "This set-up link is not valid: it was used already, it expired, or the site has an admin.")
	}
	n := models.NewUser{Username: c.FormValue("username"), Email: c.FormValue("email"), Password: c.FormValue("password")}
	if fe := accountFormErrors(n, c.FormValue("password_confirm")); fe != nil {
		return a.renderForm(c, "setup", "Create the admin account", fe, page)
	}
	u, err := models.CreateFirstAdmin(a.db, token, n, a.now(), a.cfg.PasswordCost)
	var fe models.FieldErrors
	switch {
	case a.formFailed(err, &fe):
		return a.renderForm(c, "setup", "Create the admin account", fe, page)
	case errors.Is(err, models.ErrForbidden):
		return echo.NewHTTPError(http.StatusNotFound, "This set-up link is not valid: it was used already, it expired, or the site has an admin.")
	case err != nil:
		return err
	}
	if err := a.login(c, u); err != nil {
		return err
	}
	a.setFlash(c, "Your admin account is ready.")
	return redirect(c, "/")
}

func (a *App) accountShow(c echo.Context) error {
	page, err := a.accountData(c)
	if err != nil {
		return err
	}
	return a.renderForm(c, "account", "Your account", nil, page)
}

func (a *App) accountPasswordSubmit(c echo.Context) error {
	u := a.currentUser(c)
	if _, err := models.Authenticate(a.db, u.Username, c.FormValue("current_password"), a.cfg.PasswordCost); err != nil {
		if errors.Is(err, models.ErrBadCredentials) {
			return a.renderAccountForm(c, models.FieldErrors{"current_password": "That is not your current password."})
		}
		return err
	}
	fe := models.FieldErrors{}
	if msg := models.CheckPassword(c.FormValue("password"), u.Username, u.Email); msg != "" {
		fe["password"] = msg
	}
	if c.FormValue("password") != c.FormValue("password_confirm") {
		fe["password_confirm"] = "The two passwords differ."
	}
	if len(fe) > 0 {
		return a.renderAccountForm(c, fe)
	}
	err := models.SetPassword(a.db, u.Username, c.FormValue("password"), a.cfg.PasswordCost)
	if a.formFailed(err, &fe) {
		return a.renderAccountForm(c, fe)
	}
	if err != nil {
		return err
	}
	// Every other session has ended; keep this one.
	fresh, err := models.UserByID(a.db, u.ID)
	if err != nil {
		return err
	}
	if err := a.login(c, fresh); err != nil {
		return err
	}
	a.setFlash(c, "Password changed. Your other sessions have been logged out.")
	return redirect(c, "/account")
}

func (a *App) accountSessionsEnd(c echo.Context) error {
	if err := models.EndSessions(a.db, a.currentUser(c).ID); err != nil {
		return err
	}
	if err := a.logout(c); err != nil {
		return err
	}
	a.setFlash(c, "You are logged out everywhere.")
	return redirect(c, "/login")
}

// renderAccountForm shows the account page again with a form's errors.
func (a *App) renderAccountForm(c echo.Context, fe models.FieldErrors) error {
	page, err := a.accountData(c)
	if err != nil {
		return err
	}
	return a.renderForm(c, "account", "Your account", fe, page)
}

// accountFormErrors checks every field of a new account's form at once (a
// short password that also differs from its confirmation reports both),
// or returns nil.
func accountFormErrors(n models.NewUser, confirm string) models.FieldErrors {
	fe := n.Validate() // a copy: the caller's fields stay as typed
	if n.Password != confirm {
		if fe == nil {
			fe = models.FieldErrors{}
		}
		fe["password_confirm"] = "The two passwords differ."
	}
	return fe
}
