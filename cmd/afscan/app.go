package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// Exit codes fixed by DESIGN.md.
const (
	exitOK     = 0
	exitFailed = 1 // the check ran and failed (e.g. acceptance criteria not met)
	exitUsage  = 2 // usage or input error
)

// errCheckFailed marks a run whose check completed and did not pass; Run maps
// it to exit status 1. Every other error is a usage or input error (2).
var errCheckFailed = errors.New("check failed")

// Main is the program, separated from func main so that end-to-end tests
// drive exactly the code users run.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time

	closers []io.Closer
}

// NewMain returns a Main wired to the process's standard streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
}

// subcommands holds the constructors of every subcommand; each lives in its
// own file and registers itself from init, so subcommands stay independent.
var subcommands []func(*Main) *cobra.Command

func register(newCmd func(*Main) *cobra.Command) { subcommands = append(subcommands, newCmd) }

func (m *Main) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "afscan",
		Short:         "Detect atrial fibrillation in single-lead ECG strips and generate regulatory evidence",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.SetIn(m.Stdin)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr{err} })
	for _, newCmd := range subcommands {
		root.AddCommand(newCmd(m))
	}
	return root
}

// usageErr marks errors in how the command was called (flags, arguments).
type usageErr struct{ error }

func (e usageErr) Unwrap() error { return e.error }

// Run executes the command line args and returns the process exit status.
// Errors are printed as one line on Stderr.
func (m *Main) Run(ctx context.Context, args []string) int {
	root := m.rootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errCheckFailed):
		fmt.Fprintf(m.Stderr, "afscan: %s\n", oneLine(err))
		return exitFailed
	default:
		fmt.Fprintf(m.Stderr, "afscan: %s\n", oneLine(err))
		return exitUsage
	}
}

// Close releases what the subcommands opened (servers, logs, files).
func (m *Main) Close() error {
	var errs []error
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i].Close())
	}
	m.closers = nil
	return errors.Join(errs...)
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// env returns the AFSCAN_-prefixed environment value for a flag name
// (e.g. "data-dir" → AFSCAN_DATA_DIR); flags win over it, it wins over defaults.
func (m *Main) env(flag string) string {
	return m.Getenv("AFSCAN_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_")))
}
