package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/phonebar/phonebar/internal/agent"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/policy"
	"github.com/phonebar/phonebar/internal/problem"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// loginDeps builds the agent's collaborators for the login command: the user's settings file and
// the OS keyring. Tests pass their own.
type loginDeps func() (agent.Deps, error)

func defaultLoginDeps() (agent.Deps, error) {
	path, err := config.DefaultPath()
	if err != nil {
		return agent.Deps{}, err
	}
	cfg, err := policy.SettingsStore(path)
	if err != nil {
		return agent.Deps{}, err
	}
	return agent.Deps{Creds: credstore.NewKeyring(), Config: cfg}, nil
}

func runLogin(ctx context.Context, args []string, stdio Stdio) int {
	return login(ctx, args, stdio, defaultLoginDeps)
}

// loginResult is the --json output: one object.
type loginResult struct {
	OK          bool     `json:"ok"`
	Server      string   `json:"server,omitempty"`
	Name        string   `json:"name,omitempty"`
	Fullname    string   `json:"fullname,omitempty"`
	Role        string   `json:"role,omitempty"`
	Typology    string   `json:"typology,omitempty"`
	Remembered  bool     `json:"remembered,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`
	Code        string   `json:"code,omitempty"`
	Message     string   `json:"message,omitempty"`
	Fingerprint string   `json:"fingerprint,omitempty"`
	// Phones lists the telephones to pick from, on PHONE_REQUIRED and PHONE_UNAVAILABLE.
	Phones []string `json:"phones,omitempty"`
	// Phone is the hot-desk telephone the login used.
	Phone string `json:"phone,omitempty"`
	// Line is the external agent's line the login used.
	Line string `json:"line,omitempty"`
	// MustChangePassword: the password must be changed (in the window) before anything else.
	MustChangePassword bool `json:"mustChangePassword,omitempty"`
	// PasswordExpiresInDays is set when the password expires within 15 days.
	PasswordExpiresInDays *int `json:"passwordExpiresInDays,omitempty"`
	// LicenseExpiresAt is set when the server's license expires soon.
	LicenseExpiresAt *time.Time `json:"licenseExpiresAt,omitempty"`
}

const loginUsage = `Usage: phonebar login --server URL --user NAME [--password-stdin] [--save] [--trust-fingerprint HEX] [--force] [--phone NAME] [--line internal|phone|mobile] [--json]

Logs in to the Motion server the way the window does, prints who you are, and ends the session again
(so that the window can log in). Without --password-stdin the password saved in the system keyring is
used. Exit status 0 only on success.

Flags:
`

func login(ctx context.Context, args []string, stdio Stdio, deps loginDeps) int {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	fs.Usage = func() {
		io.WriteString(stdio.Err, loginUsage)
		fs.PrintDefaults()
	}
	serverFlag := fs.String("server", "", "the Motion server: host, host:port or https://host[:port] (default: the last one used)")
	userFlag := fs.String("user", "", "the login name (default: the last one used)")
	stdinFlag := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	saveFlag := fs.Bool("save", false, "remember the password in the system keyring, and the server and user in the settings")
	trustFlag := fs.String("trust-fingerprint", "", "trust the server certificate with this SHA-256 fingerprint (64 hex digits, colons allowed)")
	forceFlag := fs.Bool("force", false, "end your session on another Phonebar (after SESSION_EXISTS)")
	jsonFlag := fs.Bool("json", false, "print one JSON object instead of text")
	phoneFlag := fs.String("phone", "", "the hot-desk telephone to use (after PHONE_REQUIRED, which lists them)")
	lineFlag := fs.String("line", "", "external agents without Hot Desk: where calls ring, internal (the default), phone or mobile")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stdio.Err, "phonebar login: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	fail := func(err error) int {
		info := problem.Of(err)
		if *jsonFlag {
			writeLoginJSON(stdio.Out, loginResult{OK: false, Code: string(info.Code), Message: info.Message, Fingerprint: string(info.Fingerprint), Phones: info.Phones})
			return 1
		}
		fmt.Fprintf(stdio.Err, "phonebar login: %s\n", info.Message)
		switch info.Code {
		case problem.CodePhoneRequired, problem.CodePhoneUnavailable:
			fmt.Fprintln(stdio.Err, "Run again with --phone NAME")
		case problem.CodeUntrustedCertificate:
			fmt.Fprintf(stdio.Err, "If your administrator confirms this fingerprint, run again with --trust-fingerprint %s\n", info.Fingerprint)
		case problem.CodeSessionExists:
			fmt.Fprintln(stdio.Err, "To end the other session and log in here, run again with --force")
		case problem.CodeNoSavedPassword:
			fmt.Fprintln(stdio.Err, "Pass the password with --password-stdin (add --save to remember it)")
		case problem.CodeKeyringTimeout, problem.CodeKeyringUnavailable:
			if !*stdinFlag {
				fmt.Fprintln(stdio.Err, "Pass the password with --password-stdin: the keyring is not needed for that")
			}
		case problem.CodeSettingsDamaged, problem.CodeSettingsUnreadable:
			fmt.Fprintln(stdio.Err, "Nothing was sent to the server and the settings file was left as it is")
		}
		return 1
	}

	d, err := deps()
	if err != nil {
		return fail(err)
	}
	server, user := strings.TrimSpace(*serverFlag), strings.TrimSpace(*userFlag)
	if server == "" || user == "" {
		st, err := d.Config.Load()
		if err != nil {
			return fail(err)
		}
		if server == "" {
			server = st.ServerURL
		}
		if user == "" {
			user = st.Username
		}
	}
	if server == "" || user == "" {
		fmt.Fprintln(stdio.Err, "phonebar login: --server and --user are required (no earlier login is remembered)")
		fs.Usage()
		return 2
	}
	switch *lineFlag {
	case "", motion.LineInternal, motion.LinePhone, motion.LineMobile:
	default:
		fmt.Fprintf(stdio.Err, "phonebar login: --line must be internal, phone or mobile, not %q\n", *lineFlag)
		return 2
	}
	u, err := motion.ParseServerURL(server)
	if err != nil {
		return fail(err)
	}
	origin := motion.Origin(u)

	sess, err := agent.New(d)
	if err != nil {
		return fail(err)
	}
	defer sess.Close()
	if *trustFlag != "" {
		fp, err := tlspin.Parse(*trustFlag)
		if err != nil {
			return fail(err)
		}
		if err := sess.TrustFingerprint(origin, fp); err != nil {
			return fail(err)
		}
	}

	in := agent.LoginInput{Server: origin, User: user, Force: *forceFlag, Remember: *saveFlag, KeepSaved: !*saveFlag, Phone: strings.TrimSpace(*phoneFlag), Line: *lineFlag}
	if *stdinFlag {
		pw, err := readPassword(stdio.In)
		if err != nil {
			return fail(err)
		}
		in.Password = pw
	} else {
		pw, err := d.Creds.Get(ctx, origin, user)
		switch {
		case errors.Is(err, credstore.ErrNotFound):
			return fail(&agent.NoSavedPasswordError{Server: origin, User: user})
		case err != nil:
			return fail(err)
		}
		in.Password = pw
	}
	p, err := sess.LoginWith(ctx, in)
	in.Password = ""
	if err != nil {
		return fail(err)
	}
	// End the session again: the window must be able to log in (one session per user and kind).
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	if err := sess.Logout(lctx); err != nil {
		p.Warnings = append(p.Warnings, err.Error())
	}
	cancel()

	if *saveFlag && !p.Remembered && !p.MustChangePassword {
		// Logged in, but what was asked (remember the password) did not happen.
		msg := fmt.Sprintf("Logged in to %s as %s, but the password was not saved", p.Server, p.Name)
		if len(p.Warnings) > 0 {
			msg += ": " + strings.Join(p.Warnings, "; ")
		}
		code := string(problem.CodeKeyringUnavailable)
		if p.RememberErr != nil {
			code = string(problem.Of(p.RememberErr).Code)
		}
		if *jsonFlag {
			writeLoginJSON(stdio.Out, loginResult{OK: false, Server: p.Server, Name: p.Name, Fullname: p.Fullname, Role: p.Role,
				Typology: p.Typology, Code: code, Message: msg})
		} else {
			fmt.Fprintf(stdio.Err, "phonebar login: %s\n", msg)
		}
		return 1
	}
	if *jsonFlag {
		writeLoginJSON(stdio.Out, loginResult{OK: true, Server: p.Server, Name: p.Name, Fullname: p.Fullname, Role: p.Role,
			Typology: p.Typology, Remembered: p.Remembered, Warnings: p.Warnings, Phone: p.Phone, Line: p.Line,
			MustChangePassword: p.MustChangePassword, PasswordExpiresInDays: p.PasswordExpiresInDays, LicenseExpiresAt: p.LicenseExpiresAt})
		return 0
	}
	who := p.Name
	if p.Fullname != "" {
		who = fmt.Sprintf("%s (%s)", p.Fullname, p.Name)
	}
	fmt.Fprintf(stdio.Out, "Logged in to %s as %s, role %s", p.Server, who, p.Role)
	if p.Typology != "" {
		fmt.Fprintf(stdio.Out, ", typology %s", p.Typology)
	}
	fmt.Fprintln(stdio.Out, ".")
	switch {
	case p.Remembered && *saveFlag:
		fmt.Fprintln(stdio.Out, "The password is saved in the system keyring.")
	case p.MustChangePassword:
		fmt.Fprintln(stdio.Out, "The password must be changed: log in with the window to change it.")
	}
	if p.PasswordExpiresInDays != nil {
		fmt.Fprintf(stdio.Out, "Your password expires in %d day(s): change it in the window.\n", *p.PasswordExpiresInDays)
	}
	if p.LicenseExpiresAt != nil {
		fmt.Fprintln(stdio.Out, agent.LicenseNotice(*p.LicenseExpiresAt, time.Now())+".")
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(stdio.Out, "Warning: %s\n", w)
	}
	return 0
}

// readPassword reads the first line of r, without its line ending.
func readPassword(r io.Reader) (string, error) {
	if r == nil {
		return "", agent.ErrMissingCredentials
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("cannot read the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", agent.ErrMissingCredentials
	}
	return line, nil
}

func writeLoginJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
