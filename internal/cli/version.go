package cli

import (
	"context"
	"fmt"

	"github.com/phonebar/phonebar/internal/buildinfo"
)

func runVersion(_ context.Context, _ []string, stdio Stdio) int {
	fmt.Fprintf(stdio.Out, "phonebar %s\n", buildinfo.String())
	return 0
}
