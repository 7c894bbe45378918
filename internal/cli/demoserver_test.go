package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reading test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCommand runs the CLI in the background; wait returns its exit status.
func runCommand(ctx context.Context, args []string, out io.Writer, errOut io.Writer) (wait func() int) {
	done := make(chan int, 1)
	go func() { done <- Run(ctx, args, Stdio{In: strings.NewReader(""), Out: out, Err: errOut}) }()
	return func() int {
		select {
		case code := <-done:
			return code
		case <-time.After(20 * time.Second):
			panic("demo-server did not stop")
		}
	}
}

func pinnedClient(t *testing.T, rawURL, fingerprint string) *http.Client {
	t.Helper()
	fp, err := tlspin.Parse(fingerprint)
	require.NoError(t, err)
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: tlspin.ClientConfig(u.Hostname(), nil, fp)}, Timeout: 10 * time.Second}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestDemoServerJSON(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLogFiles)
	dataDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errOut syncBuffer
	wait := runCommand(ctx, []string{"demo-server", "--listen", "127.0.0.1:0", "--json", "--data-dir", dataDir}, pw, &errOut)

	lineCh := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(pr).ReadString('\n')
		lineCh <- line
		_, _ = io.Copy(io.Discard, pr)
	}()
	var line string
	select {
	case line = <-lineCh:
	case <-time.After(20 * time.Second):
		t.Fatalf("no JSON line; stderr: %s", errOut.String())
	}
	var got struct {
		URL         string `json:"url"`
		Fingerprint string `json:"fingerprint"`
		Users       []struct {
			Name, Password, Typology string
		} `json:"users"`
	}
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&got), line)
	assert.Regexp(t, `^https://127\.0\.0\.1:\d+$`, got.URL)
	assert.Regexp(t, `^[0-9a-f]{64}$`, got.Fingerprint)
	typologies := map[string]string{}
	for _, u := range got.Users {
		typologies[u.Typology] = u.Name
		assert.NotEmpty(t, u.Password)
	}
	for _, k := range []string{"webrtc", "external", "phonebar", "admin"} {
		assert.Contains(t, typologies, k)
	}
	_, err := os.Stat(filepath.Join(dataDir, "cert.pem"))
	assert.NoError(t, err, "the certificate is kept in --data-dir")

	// The printed URL answers over TLS pinned to the printed fingerprint, and a printed login works.
	c := pinnedClient(t, got.URL, got.Fingerprint)
	resp, err := c.Get(got.URL + motion.PathWebLogin)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), `name="username"`)
	body, _ := json.Marshal(motion.LoginRequest{Name: got.Users[0].Name, Password: got.Users[0].Password})
	resp, err = c.Post(got.URL+motion.PathAuthLocal, "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, tlspin.Fingerprint(got.Fingerprint), tlspin.Of(resp.TLS.PeerCertificates[0]))
	assert.NotContains(t, errOut.String(), got.Users[0].Password, "no password in the logs")

	// A client pinned to another fingerprint is refused.
	other := pinnedClient(t, got.URL, strings.Repeat("ab", 32))
	_, err = other.Get(got.URL + motion.PathWebLogin)
	assert.Error(t, err)

	cancel()
	assert.Equal(t, 0, wait())
	pw.Close()
	c.CloseIdleConnections()
	other.CloseIdleConnections()
}

func TestDemoServerText(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLogFiles)
	if runtime.GOOS == "linux" {
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	wait := runCommand(ctx, []string{"demo-server", "--listen", "127.0.0.1:0"}, &out, &errOut)
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "Press Ctrl+C") }, 20*time.Second, 20*time.Millisecond, errOut.String())
	text := out.String()
	assert.Regexp(t, `Motion demo server at https://127\.0\.0\.1:\d+\n`, text)
	assert.Regexp(t, `Certificate SHA-256:  ([0-9A-F]{2}:){31}[0-9A-F]{2}\n`, text)
	assert.Regexp(t, `\(hex\)  [0-9a-f]{64}\n`, text)
	assert.Regexp(t, `alice\s+Demo-Alice-1001\s+webrtc`, text)
	assert.Regexp(t, `admin\s+\S+\s+admin`, text)
	if runtime.GOOS == "linux" {
		assert.Contains(t, text, filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "phonebar", "demo-server"), "the default data dir")
	}
	cancel()
	assert.Equal(t, 0, wait())
	assert.Contains(t, errOut.String(), "stopped")
}

func TestDemoServerErrors(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLogFiles)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	dir := t.TempDir()
	badConfig := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(badConfig, []byte(`{"users":[{"name":"x","fullname":"X","password":"p","typology":"fax"}]}`), 0o600))

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"busy port", []string{"--listen", busy.Addr().String()}, 1, busy.Addr().String() + " is already in use"},
		{"busy http port", []string{"--listen", "127.0.0.1:0", "--http-listen", busy.Addr().String()}, 1, busy.Addr().String() + " is already in use: choose another address with --http-listen"},
		{"bad config", []string{"--config", badConfig}, 1, `users[0].typology: "fax" is not one of`},
		{"missing config", []string{"--config", filepath.Join(dir, "none.json")}, 1, "no such file"},
		{"bad listen address", []string{"--listen", "nowhere"}, 1, "cannot serve on nowhere"},
		{"plain http public address", []string{"--public-url", "http://motion.example.test"}, 1, `--public-url: demo server configuration: publicUrl: "http://motion.example.test" must start with https://`},
		{"unknown flag", []string{"--port", "1"}, 2, "flag provided but not defined: -port"},
		{"stray argument", []string{"extra"}, 2, `unexpected argument "extra"`},
		{"help", []string{"-h"}, 0, "-listen address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut syncBuffer
			args := append([]string{"demo-server", "--data-dir", dir}, tt.args...)
			code := runCommand(context.Background(), args, &out, &errOut)()
			assert.Equal(t, tt.wantCode, code, errOut.String())
			assert.Contains(t, errOut.String(), tt.wantErr)
			assert.Empty(t, out.String())
		})
	}
}

func TestDemoServerIsACommand(t *testing.T) {
	assert.True(t, IsCommand("demo-server"))
	var out syncBuffer
	Run(context.Background(), []string{"help"}, Stdio{Out: &out, Err: io.Discard})
	assert.Contains(t, out.String(), "demo-server")
}

func TestDemoServerHTTPListenAndConfig(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLogFiles)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errOut syncBuffer
	wait := runCommand(ctx, []string{"demo-server", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--json",
		"--data-dir", t.TempDir(), "--config", filepath.Join("..", "motionsim", "testdata", "example-config.json")}, pw, &errOut)
	lineCh := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(pr).ReadString('\n')
		lineCh <- line
		_, _ = io.Copy(io.Discard, pr)
	}()
	var line string
	select {
	case line = <-lineCh:
	case <-time.After(20 * time.Second):
		t.Fatalf("no JSON line; stderr: %s", errOut.String())
	}
	var got struct {
		URL         string `json:"url"`
		HTTPURL     string `json:"httpUrl"`
		Fingerprint string `json:"fingerprint"`
		Users       []struct{ Name, Password, Typology string }
	}
	require.NoError(t, json.Unmarshal([]byte(line), &got), line)
	require.Regexp(t, `^http://127\.0\.0\.1:\d+$`, got.HTTPURL)
	assert.Len(t, got.Users, 6, "the example's users with a clear password")

	plain := &http.Client{Timeout: 10 * time.Second}
	defer plain.CloseIdleConnections()
	secure := pinnedClient(t, got.URL, got.Fingerprint)
	tests := []struct {
		name       string
		client     *http.Client
		base       string
		path       string
		auth       string
		wantStatus int
		wantBody   string
	}{
		{"providers over http", plain, got.HTTPURL, motion.PathAuthProviders, "", 200, `{"providers":["activedirectory","google"]}`},
		{"unknown authorization format over http", plain, got.HTTPURL, motion.PathWhoami, "undefined", 401, `{"message":"Unknown authorization format"}`},
		{"admin settings over https", secure, got.URL, motion.PathAdminSettings, "admin:Demo-Admin-0000", 200, ""},
		{"admin settings as an agent", secure, got.URL, motion.PathAdminSettings, "chloe:Demo-Chloe-1003", 403, ""},
		{"phones of a hot-desk agent", secure, got.URL, motion.PathPhones, "bruno:Demo-Bruno-1002", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, tt.base+tt.path, nil)
			require.NoError(t, err)
			if user, pass, ok := strings.Cut(tt.auth, ":"); ok {
				req.SetBasicAuth(user, pass)
			} else if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := tt.client.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, tt.wantStatus, resp.StatusCode, string(body))
			if tt.wantBody != "" {
				assert.JSONEq(t, tt.wantBody, string(body))
			}
			if tt.path == motion.PathPhones {
				var l motion.PhoneList
				require.NoError(t, json.Unmarshal(body, &l))
				assert.Equal(t, 2, l.Count, "Desk 1 and Desk 2: Desk 3 is busy, Desk 4 unregistered")
			}
		})
	}
	cancel()
	assert.Equal(t, 0, wait())
	pw.Close()
	secure.CloseIdleConnections()
	assert.Contains(t, errOut.String(), "also serving plain http")
}
