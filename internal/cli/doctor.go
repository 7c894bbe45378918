package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/credstore"
	"github.com/phonebar/phonebar/internal/diagnostics"
	"github.com/phonebar/phonebar/internal/doctor"
	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// doctorDeps are the doctor command's collaborators: the settings and keyring (for the saved
// login), and whether to check the sound devices. Tests pass their own.
type doctorDeps struct {
	login loginDeps
	// audio opens the sound system for the microphone and speaker checks; nil leaves them out.
	audio func() *audio.Host
	// allowLoopback lets the test call use loopback addresses (a server on this machine).
	allowLoopback bool
}

func runDoctor(ctx context.Context, args []string, stdio Stdio) int {
	return doctorCommand(ctx, args, stdio, doctorDeps{login: defaultLoginDeps, audio: func() *audio.Host { return audio.New(audio.Options{}) }, allowLoopback: true})
}

func doctorCommand(ctx context.Context, args []string, stdio Stdio, deps doctorDeps) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	server := fs.String("server", "", "the Motion server's address (default: the saved login's)")
	user := fs.String("user", "", "the Motion login name (default: the saved login's)")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (default: the saved password in the keyring)")
	trust := fs.String("trust-fingerprint", "", "SHA-256 fingerprint of a self-signed server certificate to trust")
	echo := fs.String("echo", "*43", "the echo extension for the test call; none leaves the test call out")
	noAudio := fs.Bool("no-audio", false, "leave out the microphone and speaker checks")
	asJSON := fs.Bool("json", false, "print one JSON object: {ok, checks:[{name, ok, ms, detail, advice}]}")
	lf := addLogFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(stdio.Err, "Usage: phonebar doctor [--server URL --user NAME --password-stdin | saved login] [--trust-fingerprint HEX] [--json]\n\n"+
			"Checks, in order, what a call needs: DNS, TCP, TLS, the login and typology, the SIP WebSocket and REGISTER,\n"+
			"STUN and TURN with the account's ICE servers, a test call to the echo extension with its MOS, the microphone\n"+
			"and the speaker. One line per check with what to do when it fails. Exit status 0 only when every check passes.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stdio.Err, "phonebar doctor: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	logs, err := lf.open(stdio, "doctor")
	if err != nil {
		fmt.Fprintf(stdio.Err, "phonebar doctor: %v\n", err)
		return 2
	}
	defer logs.Close()
	var pin tlspin.Fingerprint
	if *trust != "" {
		var err error
		if pin, err = tlspin.Parse(*trust); err != nil {
			fmt.Fprintf(stdio.Err, "phonebar doctor: --trust-fingerprint: %v\n", err)
			return 2
		}
	}
	d, err := deps.login()
	if err != nil {
		fmt.Fprintf(stdio.Err, "phonebar doctor: %v\n", err)
		return 1
	}
	st, err := d.Config.Load()
	if err != nil {
		// Never go on without the saved pins: say which file and what to do.
		fmt.Fprintf(stdio.Err, "phonebar doctor: %v\n", err)
		return 1
	}
	if *server == "" {
		*server = st.ServerURL
	}
	if *user == "" && !*stdin {
		*user = st.Username
	}
	if strings.TrimSpace(*server) == "" {
		fmt.Fprintln(stdio.Err, "phonebar doctor: --server is required (no earlier login is remembered)")
		return 2
	}
	opts := doctor.Options{Server: *server, User: strings.TrimSpace(*user), Pin: pin, Settings: st, SettingsPath: settingsPath(d.Config),
		AllowLoopback: deps.allowLoopback}
	if *echo != "none" {
		opts.EchoTarget = *echo
	}
	if *stdin {
		if opts.User == "" {
			fmt.Fprintln(stdio.Err, "phonebar doctor: --password-stdin needs --user")
			return 2
		}
		if opts.Password, err = readPassword(stdio.In); err != nil {
			fmt.Fprintf(stdio.Err, "phonebar doctor: --password-stdin: %v\n", err)
			return 2
		}
	} else if opts.User != "" {
		if u, err := motion.ParseServerURL(*server); err == nil {
			pw, err := d.Creds.Get(ctx, motion.Origin(u), opts.User)
			switch {
			case errors.Is(err, credstore.ErrNotFound):
				fmt.Fprintf(stdio.Err, "phonebar doctor: no password saved for %s at %s: pass it with --password-stdin, or save it with phonebar login --save\n", opts.User, motion.Origin(u))
				return 2
			case err != nil:
				fmt.Fprintf(stdio.Err, "phonebar doctor: the keyring: %v (pass the password with --password-stdin)\n", err)
				return 1
			}
			opts.Password = pw
		}
	}
	if !*noAudio && deps.audio != nil {
		h := deps.audio()
		defer h.Close()
		opts.Audio = h
	}
	if !*asJSON {
		opts.OnCheck = func(c doctor.Check) { printCheck(stdio, c) }
	}
	logs.Secret(opts.Password)
	opts.Logger, opts.SIPTrace = slogOf(logs), logs.SIPTrace
	rep := doctor.Run(ctx, opts)
	opts.Password = ""
	if err := diagnostics.SaveDoctor(logs.Dir(), rep); err != nil {
		logs.Logger.WithError(err).Warn("the doctor's report was not kept for the diagnostics bundle")
	}
	if *asJSON {
		b, _ := json.Marshal(rep)
		fmt.Fprintf(stdio.Out, "%s\n", b)
	} else if rep.OK {
		fmt.Fprintln(stdio.Out, "All checks passed.")
	} else {
		fmt.Fprintln(stdio.Out, "Some checks failed: see the advice above.")
	}
	if rep.OK {
		return 0
	}
	return 1
}

// settingsPath names the settings file for messages, when the store knows it.
func settingsPath(c any) string {
	if p, ok := c.(interface{ Path() string }); ok {
		return p.Path()
	}
	return "settings.json"
}

func printCheck(stdio Stdio, c doctor.Check) {
	verdict := "ok  "
	if !c.OK {
		verdict = "FAIL"
	}
	fmt.Fprintf(stdio.Out, "%s %-10s %5d ms  %s\n", verdict, c.Name, c.MS, c.Detail)
	if c.Advice != "" {
		fmt.Fprintf(stdio.Out, "     %-10s           -> %s\n", "", c.Advice)
	}
}
