package motionsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/phonebar/phonebar/internal/motion"
)

// fuzzServer is shared by the fuzz targets: a fast bcrypt and no lockout, so that many inputs stay
// cheap. The seed corpus is in testdata/fuzz.
func fuzzServer(f *testing.F) *Server {
	cfg := DefaultConfig()
	cfg.MaxLoginAttempts = 0
	srv, err := New(Options{Config: cfg, BcryptCost: bcrypt.MinCost, MaxBodyBytes: 4096})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	return srv
}

// checkAnswer fails unless the answer is a known status with a JSON body of the right shape.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, ok int) {
	t.Helper()
	switch rec.Code {
	case ok, http.StatusNoContent, http.StatusAccepted:
		return
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusConflict, http.StatusLocked, http.StatusUnprocessableEntity, http.StatusForbidden:
	default:
		t.Fatalf("status %d for a JSON body: %s", rec.Code, rec.Body)
	}
	var eb motion.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Message == "" {
		t.Fatalf("status %d without an ErrorBody: %q", rec.Code, rec.Body)
	}
	if rec.Code == http.StatusBadRequest && eb.Code != motion.CodeBadRequest {
		t.Fatalf("400 with code %q", eb.Code)
	}
}

func FuzzAuthLocal(f *testing.F) {
	srv := fuzzServer(f)
	f.Add([]byte(`{"name":"chloe","password":"Demo-Chloe-1003","force":true}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, motion.PathAuthLocal, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		checkAnswer(t, rec, http.StatusOK)
		if rec.Code == http.StatusOK {
			var lr motion.LoginResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &lr); err != nil || lr.Token == "" {
				t.Fatalf("200 without a LoginResponse: %q", rec.Body)
			}
		}
	})
}

func FuzzChangePassword(f *testing.F) {
	srv := fuzzServer(f)
	f.Add([]byte(`{"oldPassword":"Demo-Bruno-1002","newPassword":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPut, motion.PathChangePassword, strings.NewReader(string(body)))
		// Basic keeps every input independent of earlier ones unless it changes the password,
		// which the rules make unlikely; a changed password then answers 401, also checked.
		req.SetBasicAuth("bruno", "Demo-Bruno-1002")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		checkAnswer(t, rec, http.StatusNoContent)
	})
}

func FuzzForgotPassword(f *testing.F) {
	srv := fuzzServer(f)
	f.Add([]byte(`{"email":"alice@demo.phonebar.test"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, motion.PathForgotPassword, strings.NewReader(string(body)))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		checkAnswer(t, rec, http.StatusAccepted)
	})
}

func FuzzAdminSettings(f *testing.F) {
	srv := fuzzServer(f)
	f.Add([]byte(`{"maxLoginAttempts":3,"ssoProviders":["google"],"licenseExpiresAt":"2027-01-31T00:00:00Z"}`))
	f.Add([]byte(`{"passwordHistory":99}`))
	f.Add([]byte(`{"ssoProviders":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPut, motion.PathAdminSettings, strings.NewReader(string(body)))
		req.SetBasicAuth("admin", "Demo-Admin-0000")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		checkAnswer(t, rec, http.StatusOK)
		if err := srv.settingsValid(); err != nil {
			t.Fatalf("the settings became invalid after %q: %v", body, err)
		}
	})
}

func FuzzAdminUser(f *testing.F) {
	srv := fuzzServer(f)
	f.Add([]byte(`{"typology":"external","hotDesk":true,"email":"b@x.test","passwordChangedAt":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"typology":"webrtc"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPut, motion.PathAdminUsers+"/bruno", strings.NewReader(string(body)))
		req.SetBasicAuth("admin", "Demo-Admin-0000")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		checkAnswer(t, rec, http.StatusOK)
	})
}

func FuzzSSOExchange(f *testing.F) {
	srv := fuzzServer(f)
	f.Add([]byte(`{"code":"abc","client":"phonebar","phone":"Desk 1","line":"mobile"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, motion.PathAuthSSO, strings.NewReader(string(body)))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		checkAnswer(t, rec, http.StatusOK)
	})
}
