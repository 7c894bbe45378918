// Command gen writes the TypeScript union of the problem codes (go generate ./internal/problem).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/phonebar/phonebar/internal/problem"
)

func main() {
	out := flag.String("o", "", "the file to write")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen -o FILE")
		os.Exit(2)
	}
	if err := os.WriteFile(*out, []byte(problem.TypeScript()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
