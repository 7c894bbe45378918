package motionsim

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/phonebar/phonebar/internal/motion"
)

// ErrAddrInUse is returned by Start when the listen address is taken by another program.
var ErrAddrInUse = errors.New("address already in use")

// ErrClosed is returned by Start after Close.
var ErrClosed = errors.New("motionsim: server closed")

// ConfigError names the configuration field that is wrong and why.
type ConfigError struct {
	Field   string // e.g. "users[2].typology"
	Problem string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("demo server configuration: %s: %s", e.Field, e.Problem)
}

// apiError is an error answer: an HTTP status and the ErrorBody sent with it.
type apiError struct {
	Status int
	Body   motion.ErrorBody
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Body.Code, e.Body.Message)
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Body: motion.ErrorBody{Code: motion.CodeBadRequest, Message: fmt.Sprintf(format, args...)}}
}

func unauthorized(msg string) *apiError {
	return &apiError{Status: http.StatusUnauthorized, Body: motion.ErrorBody{Code: motion.CodeUnauthorized, Message: msg}}
}
