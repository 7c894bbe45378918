package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/cli"
	"github.com/phonebar/phonebar/internal/instance"
	"github.com/phonebar/phonebar/internal/station"
)

// claimInstance makes this start the user's Phonebar, or hands the link (or a request to come to
// the front) to the one already running and says what it answered: then done is true and status
// is the exit status. A channel that cannot be used (a folder others may reach) is logged and the
// window starts without it.
func claimInstance(link string, stdio cli.Stdio, log *logrus.Logger) (l station.Launch, status int, done bool) {
	for attempt := 0; attempt < 2; attempt++ {
		srv, err := instance.Claim(instance.Options{})
		if err == nil {
			return station.Launch{Instance: srv, Link: link}, 0, false
		}
		if !errors.Is(err, instance.ErrRunning) {
			log.WithError(err).Warn("single instance: later starts will not reach this window")
			return station.Launch{Link: link}, 0, false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		rep, err := instance.Send(ctx, instance.Options{}, instance.Request{Dial: link, Show: true})
		cancel()
		if errors.Is(err, instance.ErrNotRunning) {
			continue // it has just ended: claim again
		}
		if errors.Is(err, instance.ErrImpostor) {
			fmt.Fprintf(stdio.Err, "phonebar: not handed over: the channel to the Phonebar is not safe (%v).\n", err)
			return station.Launch{}, 1, true
		}
		if err != nil {
			fmt.Fprintf(stdio.Err, "phonebar: a Phonebar is running but did not answer (%v): close it and start it again.\n", err)
			return station.Launch{}, 1, true
		}
		if !rep.OK {
			fmt.Fprintf(stdio.Err, "phonebar: %s\n", rep.Message)
			return station.Launch{}, 1, true
		}
		fmt.Fprintf(stdio.Out, "phonebar: %s\n", rep.Message)
		return station.Launch{}, 0, true
	}
	fmt.Fprintln(stdio.Err, "phonebar: another Phonebar is starting or ending: try again in a moment.")
	return station.Launch{}, 1, true
}
