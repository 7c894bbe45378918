package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/phonebar/phonebar/internal/audio"
)

// micCheckOutput is the one JSON object `phonebar mic-check --json` prints.
type micCheckOutput struct {
	Device       micCheckDevice `json:"device"`
	SampleRate   int            `json:"sample_rate"`
	PeakDBFS     float64        `json:"peak_dbfs"`
	RMSDBFS      float64        `json:"rms_dbfs"`
	DominantHz   float64        `json:"dominant_hz"`
	Verdict      audio.Verdict  `json:"verdict"`
	Message      string         `json:"message"`
	ListenedMs   int64          `json:"listened_ms"`
	FirstAudioMs int64          `json:"first_audio_ms"`
	Error        string         `json:"error,omitempty"`
}

type micCheckDevice struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// newMicHost is the seam tests use to pick a backend; the command itself uses the default.
var newMicHost = func() *audio.Host { return audio.New(audio.Options{}) }

// runMicCheck checks a microphone headless. Exit status: 0 when it works, 1 when it does not (any
// verdict but "working", or a device name that does not exist), 2 for bad flags.
func runMicCheck(ctx context.Context, args []string, stdio Stdio) int {
	fs := flag.NewFlagSet("mic-check", flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	device := fs.String("device", "", "microphone to check, by name or ID (default: the system default)")
	seconds := fs.Float64("seconds", 2, "seconds of audio to measure once the microphone delivers sound")
	maxWait := fs.Float64("max-wait", audio.DefaultCheckMaxWait.Seconds(), "seconds to wait for the first audio")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	fs.Usage = func() {
		fmt.Fprintf(stdio.Err, "Usage: phonebar mic-check [--device NAME] [--seconds N] [--json]\n\n"+
			"Listens to a microphone and says whether it works: working, silent, no microphone or access denied.\n"+
			"Exit status 0 only when it works.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stdio.Err, "phonebar mic-check: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *seconds <= 0 || *seconds > 600 || *maxWait <= 0 || *maxWait > 600 {
		fmt.Fprintln(stdio.Err, "phonebar mic-check: --seconds and --max-wait must be between 0 and 600")
		return 2
	}

	h := newMicHost()
	defer h.Close()
	res, err := h.CheckMicrophone(ctx, audio.CheckOptions{
		Device:  *device,
		Listen:  time.Duration(*seconds * float64(time.Second)),
		MaxWait: time.Duration(*maxWait * float64(time.Second)),
	})
	out := micCheckOutput{
		Device:       micCheckDevice{ID: res.Device.ID, Name: res.Device.Name},
		SampleRate:   res.SampleRate,
		PeakDBFS:     res.PeakDBFS,
		RMSDBFS:      res.RMSDBFS,
		DominantHz:   res.DominantHz,
		Verdict:      res.Verdict,
		Message:      res.Message,
		ListenedMs:   res.ListenedMs,
		FirstAudioMs: res.FirstAudioMs,
	}
	if err != nil {
		out.Error = err.Error()
		if out.Message == "" {
			out.Message = err.Error()
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdio.Out)
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stdio.Err, "phonebar mic-check: %v\n", err)
			return 1
		}
	} else {
		w := stdio.Out
		if !res.Works() {
			w = stdio.Err
		}
		fmt.Fprintf(w, "%s: %s\n", out.Verdict, out.Message)
		if out.SampleRate > 0 {
			fmt.Fprintf(w, "device %q (%s), %d Hz; peak %.1f dBFS, RMS %.1f dBFS, dominant %.1f Hz\n",
				out.Device.Name, out.Device.ID, out.SampleRate, out.PeakDBFS, out.RMSDBFS, out.DominantHz)
		}
	}
	if res.Works() {
		return 0
	}
	return 1
}
