package problem

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/phonebar/phonebar/internal/credstore"
)

func TestRememberOffIsOneLineWithoutDetails(t *testing.T) {
	dbus := errors.New(`org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files (/org/freedesktop/secrets/collection/login)`)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"no keyring", &credstore.UnavailableError{Op: "check", Hint: "start gnome-keyring", Cause: dbus}, "No system keyring"},
		{"a keyring that does not answer", credstore.ErrTimeout, "does not answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RememberOff(tt.err)
			assert.Contains(t, got, tt.want)
			assert.Contains(t, got, "typing your password", "says what still works")
			assert.NotContains(t, got, "\n")
			assert.NotContains(t, got, "/org/freedesktop")
			assert.NotContains(t, got, "DBus")
			assert.Less(t, len(got), 140)
			assert.False(t, strings.Contains(got, tt.err.Error()))
		})
	}
}
