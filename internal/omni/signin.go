package omni

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// This file is the single sign-on window: the Phonebar starts a second process of itself (the hidden
// SignInCommand) that shows the provider's sign-in page of the server, and reads back the one-time code
// the sign-in ends with. The request travels on the child's standard input, the answer on its standard
// output, one JSON line each; the page never talks to the Phonebar's own window.

// SignInCommand is the hidden subcommand that runs the sign-in window process.
const SignInCommand = "sso-window"

// SignInDonePath is the path, under the window's own app origin, that the sign-in script opens with
// the code and state of motion.PathSSOCallback.
const SignInDonePath = "/signed-in"

// SignIn asks the window for one provider sign-in.
type SignIn struct {
	// Origin is the server's origin, "https://host[:port]".
	Origin string `json:"origin"`
	// Provider is motion.ProviderGoogle or motion.ProviderActiveDirectory.
	Provider string `json:"provider"`
	// State is the random value the callback must carry back.
	State string `json:"state"`
	// CertPEM and Pin: the pinned self-signed certificate of the server, as in Handoff.
	CertPEM string             `json:"certPem,omitempty"`
	Pin     tlspin.Fingerprint `json:"pin,omitempty"`
	// Title is the window title.
	Title string `json:"title,omitempty"`
}

// SignInResult is the window's answer.
type SignInResult struct {
	Code  string `json:"code"`
	State string `json:"state"`
}

// signInLine is the one line the window writes on its standard output.
type signInLine struct {
	SignIn *SignInResult `json:"phonebarSignIn"`
}

// ErrSignInCancelled: the agent closed the sign-in window, or the Phonebar gave up waiting.
var ErrSignInCancelled = errors.New("the sign-in window was closed before the sign-in ended")

// NewState returns a random state value.
func NewState() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Validate checks that the request can be used safely.
func (s SignIn) Validate() error {
	if err := validOrigin(s.Origin); err != nil {
		return err
	}
	if s.Provider != motion.ProviderGoogle && s.Provider != motion.ProviderActiveDirectory {
		return fmt.Errorf("%w: unknown sign-in provider %q", ErrBadHandoff, s.Provider)
	}
	if len(s.State) < 16 || len(s.State) > 256 {
		return fmt.Errorf("%w: the sign-in state must be 16 to 256 characters", ErrBadHandoff)
	}
	return nil
}

// AuthorizeURL is the provider's sign-in page on the server, for the Phonebar.
func (s SignIn) AuthorizeURL() string {
	q := url.Values{motion.QueryClient: {motion.ClientPhonebar}, motion.QueryState: {s.State}}
	return strings.TrimSuffix(s.Origin, "/") + motion.PathSSOAuthorizePrefix + url.PathEscape(s.Provider) +
		motion.PathSSOAuthorizeSuffix + "?" + q.Encode()
}

// Trust makes the window's web view trust the request's pinned certificate (see TrustPinned).
func (s SignIn) Trust() error {
	return TrustPinned(Handoff{Origin: s.Origin, CertPEM: s.CertPEM, Pin: s.Pin})
}

// Check tells whether a code and state that reached SignInDonePath answer this request: the state
// must be the request's (compared in constant time) and the code present and short.
func (s SignIn) Check(code, state string) bool {
	return code != "" && len(code) <= 256 && subtle.ConstantTimeCompare([]byte(state), []byte(s.State)) == 1
}

// SignInScript returns the JavaScript the window runs after every page load: on the server's
// motion.PathSSOCallback it hands the code and state to the window's own page at appOrigin +
// SignInDonePath; anywhere else it does nothing.
func SignInScript(s SignIn, appOrigin string) string {
	lit := func(v string) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	return fmt.Sprintf(`(function () {
  "use strict";
  if (location.origin !== %s || location.pathname !== %s) return;
  var q = new URLSearchParams(location.search);
  var out = new URLSearchParams();
  out.set("code", q.get(%s) || "");
  out.set("state", q.get(%s) || "");
  location.replace(%s + "?" + out.toString());
})();`, lit(strings.TrimSuffix(s.Origin, "/")), lit(motion.PathSSOCallback), lit(motion.QueryCode),
		lit(motion.QueryState), lit(strings.TrimSuffix(appOrigin, "/")+SignInDonePath))
}

// ReadSignIn reads and validates the request, in the window's process.
func ReadSignIn(r io.Reader) (SignIn, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxHandoff))
	dec.DisallowUnknownFields()
	var s SignIn
	if err := dec.Decode(&s); err != nil {
		return SignIn{}, fmt.Errorf("%w: %v", ErrBadHandoff, err)
	}
	return s, s.Validate()
}

// WriteSignInResult writes the answer, in the window's process.
func WriteSignInResult(w io.Writer, res SignInResult) error {
	b, err := json.Marshal(signInLine{SignIn: &res})
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// RunSignIn starts the sign-in window process for req and waits for its answer: the one-time code,
// once the state matched. It returns ErrSignInCancelled when the window ends without one (the agent
// closed it) and ctx's error when ctx ends first (the window is then closed). opts.OnExit is not
// used.
func RunSignIn(ctx context.Context, opts LauncherOptions, req SignIn) (string, error) {
	if err := req.Validate(); err != nil {
		return "", err
	}
	if opts.Logger == nil {
		opts.Logger = logrus.StandardLogger()
	}
	exe := opts.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return "", fmt.Errorf("omni: cannot find the Phonebar program to open the sign-in window: %w", err)
		}
	}
	cmd := exec.Command(exe, append([]string{SignInCommand}, opts.Args...)...)
	in, err := cmd.StdinPipe()
	if err != nil {
		return "", fmt.Errorf("omni: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", fmt.Errorf("omni: %w", err)
	}
	cmd.Stderr = opts.Logger.WithField("proc", "sign-in").WriterLevel(logrus.WarnLevel)
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("omni: cannot start the sign-in window: %w", err)
	}
	results := make(chan SignInResult, 1)
	go func() {
		defer close(results)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 4096), 64<<10)
		for sc.Scan() {
			var l signInLine
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.SignIn != nil {
				results <- *l.SignIn
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	b, _ := json.Marshal(req)
	_, werr := in.Write(append(b, '\n'))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if werr != nil {
		_ = cmd.Process.Kill()
		<-done
		return "", fmt.Errorf("omni: cannot hand the sign-in to its window: %w", werr)
	}
	// Closing stdin asks the window to close; a window that does not is killed.
	finish := func() {
		_ = in.Close()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	select {
	case res, ok := <-results:
		finish()
		if !ok {
			return "", ErrSignInCancelled
		}
		if !req.Check(res.Code, res.State) {
			return "", fmt.Errorf("omni: the sign-in ended with a state that is not the Phonebar's: sign in again")
		}
		return res.Code, nil
	case <-ctx.Done():
		finish()
		return "", ctx.Err()
	}
}
