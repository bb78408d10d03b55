// Command datapath prints the directory holding an extracted data set of
// ../shared/data, extracting and checking it on first use, for scripts
// such as .ci/report.d/10-ec57.sh:
//
//	go run ./internal/dataset/cmd/datapath mitdb
//	go run ./internal/dataset/cmd/datapath cinc2017
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/afscan/afscan/internal/dataset"
)

func main() { os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	sets := map[string]dataset.Set{"mitdb": dataset.MITDB, "cinc2017": dataset.CinC2017}
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: datapath mitdb|cinc2017")
		return 2
	}
	s, ok := sets[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "datapath: unknown data set %q (want mitdb or cinc2017)\n", args[0])
		return 2
	}
	dir, err := dataset.Path(ctx, s)
	if err != nil {
		fmt.Fprintf(stderr, "datapath: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, dir)
	return 0
}
