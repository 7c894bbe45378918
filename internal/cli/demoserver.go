package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/motionsim"
)

// defaultDemoListen is where the demo server listens unless told otherwise.
const defaultDemoListen = "127.0.0.1:8443"

// demoServerJSON is the one line printed with --json.
type demoServerJSON struct {
	URL         string                `json:"url"`
	Fingerprint string                `json:"fingerprint"`       // SHA-256 of the certificate, hex
	HTTPURL     string                `json:"httpUrl,omitempty"` // the plain-http listener of --http-listen
	Users       []motionsim.DemoLogin `json:"users"`
}

// runDemoServer serves the Motion-compatible demo server until ctx ends or SIGINT/SIGTERM.
func runDemoServer(ctx context.Context, args []string, stdio Stdio) int {
	fs := flag.NewFlagSet("demo-server", flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	listen := fs.String("listen", defaultDemoListen, "`address` (host:port) to serve HTTPS on")
	configPath := fs.String("config", "", "JSON `file` with settings and users (default: the built-in demo users)")
	asJSON := fs.Bool("json", false, "print one JSON line {url, fingerprint, users} instead of text")
	httpListen := fs.String("http-listen", "", "also serve plain http on this `address` (host:port), to reproduce \"Unknown authorization format\" (default: https only)")
	publicURL := fs.String("public-url", "", "`address` users reach the server at (https://HOST[:PORT]), for the links it sends; overrides publicUrl of --config (default: the --listen address)")
	dataDir := fs.String("data-dir", "", "`directory` that keeps the TLS certificate (default: <user config dir>/phonebar/demo-server)")
	fs.Usage = func() {
		fmt.Fprintf(stdio.Err, "Usage: phonebar demo-server [flags]\n\nRuns a Motion-compatible server with demo users over HTTPS, for trying the Phonebar\nwithout a real Motion server. Stop it with Ctrl+C.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stdio.Err, "phonebar demo-server: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stdio.Err, "phonebar demo-server: "+format+"\n", a...)
		return 1
	}

	cfg := motionsim.DefaultConfig()
	if *configPath != "" {
		c, err := motionsim.LoadConfig(*configPath)
		if err != nil {
			return fail("%v", err)
		}
		cfg = c
	}
	if *publicURL != "" {
		if err := motionsim.ValidatePublicURL(*publicURL); err != nil {
			return fail("--public-url: %v", err)
		}
		cfg.PublicURL = *publicURL
	}
	logins := cfg.DemoLogins() // before New: the server keeps no clear password
	if logins == nil {
		logins = []motionsim.DemoLogin{}
	}
	if *dataDir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return fail("no user config directory to keep the certificate in (%v): give one with --data-dir", err)
		}
		*dataDir = filepath.Join(base, "phonebar", "demo-server")
	}

	log := logrus.New()
	log.SetOutput(stdio.Err)
	srv, err := motionsim.New(motionsim.Options{Config: cfg, DataDir: *dataDir, Logger: log, HTTPListen: *httpListen})
	if err != nil {
		return fail("%v", err)
	}
	defer srv.Close()

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ep, err := srv.Start(ctx, *listen)
	switch {
	case errors.Is(err, motionsim.ErrAddrInUse) && *httpListen != "" && strings.Contains(err.Error(), *httpListen):
		return fail("%s is already in use: choose another address with --http-listen", *httpListen)
	case errors.Is(err, motionsim.ErrAddrInUse):
		return fail("%s is already in use (is another demo server running?): choose another address with --listen, for example --listen 127.0.0.1:8444", *listen)
	case err != nil:
		return fail("cannot serve on %s: %v", *listen, err)
	}

	if *asJSON {
		line, _ := json.Marshal(demoServerJSON{URL: ep.URL, Fingerprint: string(ep.Fingerprint), HTTPURL: ep.HTTPURL, Users: logins})
		fmt.Fprintf(stdio.Out, "%s\n", line)
	} else {
		fmt.Fprintf(stdio.Out, "Motion demo server at %s\n", ep.URL)
		fmt.Fprintf(stdio.Out, "Omni Desktop:         %s/login\n", ep.URL)
		fmt.Fprintf(stdio.Out, "Administration:       %s/admin (log in as an admin user)\n", ep.URL)
		if ep.HTTPURL != "" {
			fmt.Fprintf(stdio.Out, "Plain http (insecure): %s (web pages there fail with \"Unknown authorization format\")\n", ep.HTTPURL)
		}
		fmt.Fprintf(stdio.Out, "Certificate SHA-256:  %s\n", ep.Fingerprint.Pretty())
		fmt.Fprintf(stdio.Out, "               (hex)  %s\n", ep.Fingerprint)
		fmt.Fprintf(stdio.Out, "Certificate kept in:  %s\n\n", *dataDir)
		if len(logins) > 0 {
			fmt.Fprintln(stdio.Out, "Demo logins (demo mode only):")
			tw := tabwriter.NewWriter(stdio.Out, 0, 0, 3, ' ', 0)
			for _, l := range logins {
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Name, l.Password, l.Typology)
			}
			tw.Flush()
			fmt.Fprintln(stdio.Out)
		}
		fmt.Fprintln(stdio.Out, "Press Ctrl+C to stop.")
	}

	<-ctx.Done()
	if err := srv.Close(); err != nil {
		return fail("stopping: %v", err)
	}
	if !*asJSON {
		fmt.Fprintln(stdio.Err, "phonebar demo-server: stopped")
	}
	return 0
}
