package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/afscan/afscan/api"
)

func init() { register(newAuditCmd) }

func newAuditCmd(m *Main) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check the service's hash-chained audit log",
	}
	verify := &cobra.Command{
		Use:   "verify FILE",
		Short: "Verify an audit log; exit 1 naming the first edited, removed or reordered line",
		Long: `Verify the SHA-256 hash chain of an 'afscan serve' audit log: every line must
be canonical, numbered in sequence and chained to the line before. When
FILE.head exists (written by the service), lines removed from the end are
detected too. Exit 0: intact; 1: the chain is broken (the line is named);
2: the file cannot be read.`,
		Example: "  afscan audit verify ~/.config/afscan/audit.log",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := api.VerifyAuditFile(args[0])
			if _, ok := errors.AsType[*api.AuditError](err); ok {
				return fmt.Errorf("%s: %w (%w)", args[0], err, errCheckFailed)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "%s: %d entries, chain intact\n", args[0], n)
			return nil
		},
	}
	cmd.AddCommand(verify)
	return cmd
}
