package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// healthShow answers 200 when the database answers, for load balancers.
func (a *App) healthShow(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if err := models.Ping(a.db); err != nil {
		a.log.Error("health check", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ok\n")
}
