package omni

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/config"
)

func TestCheckPageURL(t *testing.T) {
	tests := []struct {
		name, url, err string
	}{
		{"https", "https://crm.example/search?phone=%2B390212345&name=Dana+%26+Co+%3CVIP%3E", ""},
		{"http with a port", "http://127.0.0.1:8080/crm?phone=1", ""},
		{"javascript", "javascript:alert(1)", `only http:// and https:// pages are shown, not "javascript:"`},
		{"data", "data:text/html,<script>alert(1)</script>", "only http:// and https://"},
		{"file", "file:///etc/passwd", "only http:// and https://"},
		{"no host", "https:///search", "names no host"},
		{"relative", "/search?phone=1", "only http:// and https://"},
		{"a password", "https://user:secret@crm.example/", "user name or password"},
		{"a newline", "https://crm.example/?q=1\r\nX: y", "a space or a control character"},
		{"a space", "https://crm.example/a b", "a space or a control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPageURL(tt.url)
			if tt.err == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrBadPage)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

// TestShowPageAndBack: the window's controller loads a page it is sent in place of the Omni
// Desktop, refuses one that is not http(s), and the "show" command brings the Omni Desktop back.
func TestShowPageAndBack(t *testing.T) {
	v := &fakeView{}
	c := NewController(handoff(config.HandoffSession), &fakeSessions{}, "wails://wails", nil)
	assert.False(t, c.ShowPage("https://crm.example/?phone=1"), "no web view yet")
	c.mu.Lock()
	c.view = v
	c.mu.Unlock()

	assert.False(t, c.BackFromPage(), "nothing to go back from")
	assert.False(t, c.ShowPage("javascript:alert(document.cookie)"))
	assert.True(t, c.ShowPage("https://crm.example/?phone=%2B39"))
	assert.True(t, c.BackFromPage())
	assert.False(t, c.BackFromPage(), "once")
	v.mu.Lock()
	defer v.mu.Unlock()
	assert.Equal(t, []string{"https://crm.example/?phone=%2B39", c.AppURL()}, v.loads)
}

// TestShowPageCommandOnThePipe: the command travels on the window's pipe as the receiver reads it.
func TestShowPageCommandOnThePipe(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sender{&b}.send(Command{Op: OpShowPage, URL: "https://crm.example/?q=a%26b"}))
	require.NoError(t, sender{&b}.send(Command{Op: OpShow}))
	rx := &Receiver{dec: NewReceiver(&b).dec}
	c, err := rx.Next()
	require.NoError(t, err)
	assert.Equal(t, Command{Op: OpShowPage, URL: "https://crm.example/?q=a%26b"}, c)
	c, err = rx.Next()
	require.NoError(t, err)
	assert.Equal(t, Command{Op: OpShow}, c)
	_, err = rx.Next()
	assert.ErrorIs(t, err, io.EOF)
}

func TestLauncherShowPage(t *testing.T) {
	l := NewLauncher(LauncherOptions{})
	assert.ErrorIs(t, l.ShowPage("javascript:alert(1)"), ErrBadPage, "checked before anything")
	err := l.ShowPage("https://crm.example/?phone=1")
	if CanShowPages {
		assert.ErrorIs(t, err, ErrNotOpen)
	} else {
		assert.ErrorIs(t, err, ErrUnsupported)
	}
}
