// Package handlers is Margin's HTTP layer: routes, middleware, forms and pages.
package handlers

import (
	"html/template"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"margin/assets"
	"margin/models"
	"margin/models/passhash"
	"margin/views"
)

// Config is what the HTTP layer needs to know about its surroundings.
type Config struct {
	// SessionHashKey (32 or 64 bytes) signs and SessionBlockKey (32 bytes)
	// encrypts the session cookie.
	SessionHashKey  []byte
	SessionBlockKey []byte
	PasswordCost    passhash.Params
	MaxImportBytes  int
	Logger          *slog.Logger
	// Now is the clock; tests move it.
	Now func() time.Time
	// Metrics, when set, records request counts and latencies.
	Metrics *Metrics
	// LoginLimits bound failed logins per account and per address.
	LoginPerUser, LoginPerIP int
	LoginWindow              time.Duration
	// SignupsPerIP bounds the accounts made from one address in an hour.
	SignupsPerIP int
	// PostPerUser and PostPerIP bound new annotations and replies per
	// PostWindow; a negative value turns that limit off.
	PostPerUser, PostPerIP int
	PostWindow             time.Duration
	// CORSOrigins are the origins (scheme://host[:port]) besides the site
	// itself that may send credentialed and write requests to the API.
	CORSOrigins []string
	// PageCacheBytes bounds the rendered-page cache.
	PageCacheBytes int
	// Screen tunes the spam check of new notes and replies (zero values
	// take models.ScreenConfig's defaults); Screen.Akismet is set only when
	// an Akismet key is configured.
	Screen models.ScreenConfig
	// MailEnabled says an SMTP server is configured (MARGIN_SMTP_URL), so
	// that the account page can say whether anything is sent.
	MailEnabled bool
}

func (c *Config) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PasswordCost == (passhash.Params{}) {
		c.PasswordCost = passhash.Default
	}
	if c.MaxImportBytes <= 0 {
		c.MaxImportBytes = 10 << 20
	}
	if c.LoginPerUser <= 0 {
		c.LoginPerUser = 5
	}
	if c.LoginPerIP <= 0 {
		c.LoginPerIP = 30
	}
	if c.LoginWindow <= 0 {
		c.LoginWindow = 15 * time.Minute
	}
	if c.SignupsPerIP <= 0 {
		// A class signing up together from one school address fits.
		c.SignupsPerIP = 50
	}
	if c.PostPerUser == 0 {
		c.PostPerUser = 30
	}
	if c.PostPerIP == 0 {
		// Generous: a whole class may post from behind one school address.
		c.PostPerIP = 600
	}
	if c.PostWindow <= 0 {
		c.PostWindow = 10 * time.Minute
	}
	if c.PageCacheBytes <= 0 {
		c.PageCacheBytes = 64 << 20
	}
	c.Screen = c.Screen.WithDefaults()
}

// App holds the dependencies every handler uses.
type App struct {
	db       *gorm.DB
	cfg      Config
	log      *slog.Logger
	pages    map[string]*template.Template
	assets   *assets.Set
	sessions *sessions.CookieStore
	// sessionCache holds decoded session cookies (see openSession).
	sessionCache *sessionCache
	pageCache    *pageCache
	// outlines keeps what visitors see of each passage's notes, so that a
	// passage changed by a new note is rendered without reading them all.
	outlines *models.OutlineCache
	// passageRenders counts the reading view's passages rendered (not
	// taken from the cache), for tests.
	passageRenders atomic.Int64
	usedStamps     stampLedger
	health         *healthCheck
}

// New builds the Echo application.
func New(db *gorm.DB, cfg Config) (*echo.Echo, error) {
	a, err := newApp(db, cfg)
	if err != nil {
		return nil, err
	}
	return a.echo(), nil
}

func newApp(db *gorm.DB, cfg Config) (*App, error) {
	cfg.setDefaults()
	set, err := assets.Load()
	if err != nil {
		return nil, err
	}
	a := &App{db: db, cfg: cfg, log: cfg.Logger, assets: set}
	a.pages, err = views.Parse(withFuncs(a.templateFuncs(), a.moderationFuncs()))
	if err != nil {
		return nil, err
	}
	a.sessions = newSessionStore(cfg.SessionHashKey, cfg.SessionBlockKey)
	a.sessionCache = newSessionCache()
	a.pageCache = newPageCache(cfg.PageCacheBytes)
	a.outlines = models.NewOutlineCache()
	a.health = newHealthCheck(cfg.Logger)
	return a, nil
}

func (a *App) echo() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = a.handleError
	e.IPExtractor = echo.ExtractIPFromXFFHeader()
	a.routes(e)
	return e
}

func (a *App) now() time.Time { return a.cfg.Now().UTC() }
