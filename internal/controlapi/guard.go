package controlapi

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// guard wraps the routes with what keeps the API safe on a shared desktop, in this order: the
// request is logged; the Host header must name a loopback address (a page of another site that
// made its name resolve to 127.0.0.1 sends its own name: DNS rebinding); a browser request from
// another origin is refused unless allow-listed; preflights of allow-listed origins are answered;
// the rate limit; the token.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			// The path may carry a number to dial (not a secret); never the query or a header value.
			s.log.WithFields(logrus.Fields{"method": r.Method, "path": clip(r.URL.Path), "status": rec.status,
				"origin": clip(r.Header.Get("Origin")), "ms": time.Since(start).Milliseconds()}).Info("control API request")
		}()
		s.serveGuarded(rec, r, next)
	})
}

func (s *Server) serveGuarded(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if !loopbackHost(r.Host) {
		writeError(w, http.StatusForbidden, "FORBIDDEN_HOST",
			"The control API answers requests to 127.0.0.1, [::1] or localhost only; this one was addressed to another name (a web page may be trying DNS rebinding).", nil)
		return
	}
	origin, fromPage := requestOrigin(r)
	allowed := fromPage && s.origins[origin]
	if fromPage && !allowed {
		writeError(w, http.StatusForbidden, "FORBIDDEN_ORIGIN",
			"Web pages of "+clip(origin)+" may not use the Phonebar's control API: add that origin to controlApi.allowedOrigins in the settings if it is your CRM.", nil)
		return
	}
	if allowed {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		if s.opts.Token != "" {
			h.Set("Access-Control-Allow-Headers", "Authorization")
		}
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Max-Age", "600")
			if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
				h.Set("Access-Control-Allow-Private-Network", "true")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	if !s.limiter.Allow() {
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, "RATE_LIMITED", "Too many requests to the control API: slow down and retry in a second.", nil)
		return
	}
	if s.opts.Token != "" && !s.tokenOK(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="phonebar"`)
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "The control API needs its token: send Authorization: Bearer TOKEN (controlApi.token in the settings).", nil)
		return
	}
	next.ServeHTTP(w, r)
}

func (s *Server) tokenOK(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) == 1
}

// loopbackHost reports whether a Host header names the loopback interface: localhost, an IPv4
// loopback address or ::1, with or without a port.
func loopbackHost(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	h = strings.TrimSuffix(strings.Trim(h, "[]"), ".")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// requestOrigin says which web origin sent a request, and whether a web page sent it at all. A
// browser names it in Origin (fetch, XHR, forms); a plain navigation or an image sends no Origin
// but says Sec-Fetch-Site and usually a Referer: such a request from a page is taken to come from
// the Referer's origin, or from "null" without one. A request the user typed in the address bar
// (Sec-Fetch-Site: none) and programs that are not browsers (none of these headers) come from no
// page.
func requestOrigin(r *http.Request) (string, bool) {
	if o := r.Header.Get("Origin"); o != "" {
		return o, true
	}
	site, ref := r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Referer")
	if site == "none" || site == "same-origin" || site == "" && ref == "" {
		return "", false
	}
	if u, err := url.Parse(ref); err == nil && u.Scheme != "" && u.Host != "" {
		return u.Scheme + "://" + u.Host, true
	}
	return "null", true
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
