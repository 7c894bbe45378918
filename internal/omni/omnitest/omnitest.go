// Package omnitest is a hostile page for the tests of the Omni Desktop hand-off: an attacker's file on
// the Motion server's own origin (an upload, a stored XSS, a compromised path) that tries every way
// to get the agent's password, and posts what it collects to a recorder on the same origin. Tests
// mount it on the demo server's origin; the demo server never serves it by itself.
package omnitest

import (
	_ "embed"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Paths of the hostile page and of its recorder.
const (
	PagePath    = "/uploads/hostile.html"
	CollectPath = "/uploads/collect"
)

//go:embed hostile.html
var page []byte

// Report is one post of the hostile page.
type Report struct {
	// Phase is "start" (the page runs), "done" (it waited and read everything) or "form" (its own
	// login form was submitted).
	Phase string `json:"phase"`
	// Tries lists the tricks it set up.
	Tries []string `json:"tries"`
	// Got is everything it collected: values seen by its traps, fields, events and storage.
	Got []string `json:"got"`
	// Cookie is document.cookie; Local and Session its storage; URL its location.
	Cookie  string `json:"cookie"`
	Local   string `json:"local"`
	Session string `json:"session"`
	URL     string `json:"url"`
	// Whoami is what the API answered the page's own request with the session cookie.
	Whoami string `json:"whoami"`
}

// Recorder serves the hostile page and records every post to CollectPath, raw.
type Recorder struct {
	mu    sync.Mutex
	raw   []string
	views int
}

// Register mounts the page and the recorder on mux.
func (rec *Recorder) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PagePath, func(w http.ResponseWriter, _ *http.Request) {
		rec.mu.Lock()
		rec.views++
		rec.mu.Unlock()
		// As an uploaded file is served: no Content-Security-Policy of the server's pages.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(page)
	})
	mux.HandleFunc("POST "+CollectPath, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		rec.mu.Lock()
		rec.raw = append(rec.raw, string(b))
		rec.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
}

// Raw returns every recorded post body.
func (rec *Recorder) Raw() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.raw...)
}

// Views counts the page's loads.
func (rec *Recorder) Views() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.views
}

// Reports returns the posts that are reports (the form post is raw only).
func (rec *Recorder) Reports() []Report {
	var out []Report
	for _, r := range rec.Raw() {
		var rep Report
		if json.Unmarshal([]byte(r), &rep) == nil && rep.Phase != "" {
			out = append(out, rep)
		}
	}
	return out
}

// Done reports whether the page finished its whole run at least n times.
func (rec *Recorder) Done(n int) bool {
	c := 0
	for _, r := range rec.Reports() {
		if r.Phase == "done" {
			c++
		}
	}
	return c >= n
}

// Leaks returns the recorded posts that contain secret.
func (rec *Recorder) Leaks(secret string) []string {
	var out []string
	for _, r := range rec.Raw() {
		if strings.Contains(r, secret) || strings.Contains(r, jsonEscaped(secret)) || strings.Contains(r, url.QueryEscape(secret)) {
			out = append(out, r)
		}
	}
	return out
}

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}
