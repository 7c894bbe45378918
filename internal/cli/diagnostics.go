package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/diagnostics"
	"github.com/phonebar/phonebar/internal/history"
	"github.com/phonebar/phonebar/internal/logging"
	"github.com/phonebar/phonebar/internal/problem"
)

const diagnosticsUsage = `Usage: phonebar diagnostics [--out FILE] [--force] [--no-audio] [--json]

Writes one zip for a support request: the log files and the SIP trace of the last calls (passwords,
digests and ICE passwords redacted), each call's ICE and DTLS times and statistics, the call history
with its quality, the sound devices, the versions, the settings (which never hold a password) and the
doctor's last report. An existing FILE is not replaced unless --force.

Flags:
`

// diagnosticsResult is the --json output.
type diagnosticsResult struct {
	OK      bool   `json:"ok"`
	Path    string `json:"path,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

func runDiagnostics(ctx context.Context, args []string, stdio Stdio) int {
	fs := flag.NewFlagSet("diagnostics", flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	fs.Usage = func() {
		fmt.Fprint(stdio.Err, diagnosticsUsage)
		fs.PrintDefaults()
	}
	out := fs.String("out", "", "the zip to write (default: phonebar-diagnostics-TIME.zip in the current folder)")
	force := fs.Bool("force", false, "replace FILE if it exists")
	noAudio := fs.Bool("no-audio", false, "leave out the list of sound devices")
	asJSON := fs.Bool("json", false, `print one JSON object: {"ok", "path"} or {"ok": false, "code", "message"}`)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stdio.Err, "phonebar diagnostics: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	fail := func(code, msg string) int {
		if *asJSON {
			b, _ := json.Marshal(diagnosticsResult{Code: code, Message: msg})
			fmt.Fprintf(stdio.Out, "%s\n", b)
		} else {
			fmt.Fprintf(stdio.Err, "phonebar diagnostics: %s\n", msg)
		}
		return 1
	}
	src := diagnostics.Sources{}
	if dir, err := logging.DefaultDir(); err == nil {
		src.LogDir = dir
	}
	if p, err := config.DefaultPath(); err == nil {
		src.Settings = config.NewStore(p)
		// The window keeps its call history beside the settings (internal/station).
		src.History = history.NewStore(filepath.Join(filepath.Dir(p), "history.json"))
	}
	if !*noAudio {
		h := audio.New(audio.Options{})
		defer h.Close()
		src.Audio = h
	}
	path := *out
	if path == "" {
		path = "phonebar-diagnostics-" + time.Now().Format("20060102-150405") + ".zip"
	}
	written, err := diagnostics.Save(ctx, path, *force, src)
	if err != nil {
		code := problem.CodeWriteFailed
		if errors.Is(err, diagnostics.ErrExists) {
			code = problem.CodeFileExists
		}
		return fail(string(code), err.Error())
	}
	if *asJSON {
		b, _ := json.Marshal(diagnosticsResult{OK: true, Path: written})
		fmt.Fprintf(stdio.Out, "%s\n", b)
	} else {
		fmt.Fprintf(stdio.Out, "Diagnostics written to %s\n", written)
	}
	return 0
}
