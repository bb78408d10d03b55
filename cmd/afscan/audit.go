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
	var dataDir, keyFile string
	deviceHash := &cobra.Command{
		Use:   "device-hash DEVICE_ID...",
		Short: "Print the keyed hash the audit log records for a device id",
		Long: `The audit log never holds a device_id in clear: it records
HMAC-SHA-256(device key, device_id), the key being the installation's
secret in DATA-DIR/device.key (created by 'afscan serve', mode 0600). Print
that hash for each id, one a line, to find a device's requests in the log.
A FHIR Observation's device is hashed as its reference is written
("Device/watch-0042"), else as its identifier "system|value", else as its
display text.
The key file is read, never created.`,
		Example: "  grep \"$(afscan audit device-hash watch-0042)\" ~/.config/afscan/audit.log",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := m.flagsFromEnv(cmd.Flags()); err != nil {
				return err
			}
			path := keyFile
			if path == "" {
				dir, err := defaultDataDir(dataDir)
				if err != nil {
					return err
				}
				path = deviceKeyPath(dir, "")
			}
			k, err := api.LoadDeviceKey(path)
			if err != nil {
				return usageErr{err}
			}
			for _, id := range args {
				fmt.Fprintln(m.Stdout, k.Hash(id))
			}
			return nil
		},
	}
	deviceHash.Flags().StringVar(&dataDir, "data-dir", "", "the service's data directory (default: user config dir/afscan)")
	deviceHash.Flags().StringVar(&keyFile, "device-key-file", "", "device key (default: DATA-DIR/device.key)")
	cmd.AddCommand(verify, deviceHash)
	return cmd
}
