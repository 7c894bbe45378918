package cli

import (
	"context"
	"os"
	"testing"
)

// childEnv, set in a test binary's environment, makes it run the command line after the test
// flags as the phonebar would, instead of the tests: how a benchmark measures one command in a
// process of its own.
const childEnv = "PHONEBAR_CLI_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(Run(context.Background(), os.Args[1:], Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
	}
	os.Exit(m.Run())
}
