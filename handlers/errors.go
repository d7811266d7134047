package handlers

import (
	"fundwatch/handlers/web"
)

// Errors of the public site, shared with the admin site through web.
var (
	errNotFound       = web.ErrNotFound
	errCSRF           = web.ErrCSRF
	errTooMany        = web.ErrTooMany
	errInternalLogged = web.ErrInternalLogged
)

// apiError is the JSON body of every API error.
type apiError = web.APIError
