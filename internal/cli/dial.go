package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/phonebar/phonebar/internal/dialurl"
	"github.com/phonebar/phonebar/internal/instance"
	"github.com/phonebar/phonebar/internal/problem"
)

const dialUsage = `Usage: phonebar dial [--json] NUMBER|tel:NUMBER|sip:USER@HOST|callto:NUMBER

Hands the number to the running Phonebar window, which dials it with the agent's softphone.
`

// dialResult is the --json output: one object.
type dialResult struct {
	OK      bool   `json:"ok"`
	Target  string `json:"target,omitempty"`
	CallID  string `json:"callId,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

func runDial(ctx context.Context, args []string, stdio Stdio) int {
	return dial(ctx, args, stdio, instance.Options{})
}

func dial(ctx context.Context, args []string, stdio Stdio, where instance.Options) int {
	fs := flag.NewFlagSet("dial", flag.ContinueOnError)
	fs.SetOutput(stdio.Err)
	fs.Usage = func() {
		io.WriteString(stdio.Err, dialUsage)
		fs.PrintDefaults()
	}
	jsonFlag := fs.Bool("json", false, "print one JSON object instead of text")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stdio.Err, "phonebar dial: give one number or link, e.g. phonebar dial +3906123 (quote it if it has spaces)")
		fs.Usage()
		return 2
	}
	out := func(r dialResult, status int) int {
		if *jsonFlag {
			writeLoginJSON(stdio.Out, r)
		} else if r.OK {
			fmt.Fprintln(stdio.Out, r.Message)
		} else {
			fmt.Fprintf(stdio.Err, "phonebar dial: %s\n", r.Message)
		}
		return status
	}
	raw := fs.Arg(0)
	// Checked here too, so that a bad number is said at once and nothing is sent.
	target, err := dialurl.Parse(raw)
	if err != nil {
		var e *dialurl.Error
		msg := "that is not a phone number or a SIP address"
		if errors.As(err, &e) {
			msg = fmt.Sprintf("%s is not dialled: %s", e.Input, e.Reason)
		}
		return out(dialResult{Code: string(problem.CodeBadTarget), Message: msg}, 2)
	}
	rep, err := instance.Send(ctx, where, instance.Request{Dial: raw})
	switch {
	case errors.Is(err, instance.ErrNotRunning):
		return out(dialResult{Target: target, Code: string(problem.CodeNotRunning),
			Message: "No Phonebar window is running for you: start the Phonebar (phonebar, or from the applications menu), log in, then dial again."}, 1)
	case errors.Is(err, instance.ErrImpostor):
		return out(dialResult{Target: target, Code: string(problem.CodeInternal),
			Message: fmt.Sprintf("Not dialled: the channel to the Phonebar is not safe (%v).", err)}, 1)
	case err != nil:
		return out(dialResult{Target: target, Code: string(problem.CodeInternal),
			Message: fmt.Sprintf("The running Phonebar could not be reached (%v): close it and start it again.", err)}, 1)
	}
	status := 0
	if !rep.OK {
		status = 1
	}
	return out(dialResult{OK: rep.OK, Target: target, CallID: rep.CallID, Code: rep.Code, Message: rep.Message}, status)
}
