package models

import "errors"

// Sentinel errors that handlers map to HTTP statuses in one place.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
)
