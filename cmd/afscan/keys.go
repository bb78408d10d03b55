package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/afscan/afscan/api"
)

func init() { register(newKeysCmd) }

func newKeysCmd(m *Main) *cobra.Command {
	var dataDir, keysFile string
	open := func(cmd *cobra.Command) (*api.KeyStore, error) {
		if err := m.flagsFromEnv(cmd.Flags()); err != nil {
			return nil, err
		}
		dir, err := resolveDataDir(dataDir)
		if err != nil {
			return nil, err
		}
		return api.OpenKeyStore(keysPath(dir, keysFile))
	}
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Create, list and revoke API keys of the inference service",
		Long: `Manage the API keys of 'afscan serve'. Keys are random 256-bit secrets of
the form afs_<id>_<secret>; only their SHA-256 is stored (file mode 0600).
A running server picks up changes without restart.`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&dataDir, "data-dir", "", "data directory of the service (default: user config dir/afscan)")
	pf.StringVar(&keysFile, "keys-file", "", "key store (default: DATA-DIR/keys.json)")

	var name string
	create := &cobra.Command{
		Use:     "create",
		Short:   "Create a key and print it once on stdout",
		Example: "  afscan keys create --name ward-7-gateway > ward7.key",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := open(cmd)
			if err != nil {
				return err
			}
			key, info, err := s.Create(name, m.Now())
			if err != nil {
				return err
			}
			fmt.Fprintln(m.Stdout, key)
			fmt.Fprintf(m.Stderr, "created key %s; it is shown only this once\n", info.ID)
			return nil
		},
	}
	create.Flags().StringVar(&name, "name", "", "a label for the key (who holds it)")

	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List key ids, names, creation and revocation times (never secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := open(cmd)
			if err != nil {
				return err
			}
			keys, err := s.List()
			if err != nil {
				return err
			}
			if asJSON {
				for _, k := range keys {
					k.SHA256 = "" // nothing a client of the list needs
					b, _ := json.Marshal(k)
					fmt.Fprintln(m.Stdout, string(b))
				}
				return nil
			}
			w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tCREATED\tSTATUS")
			for _, k := range keys {
				status := "active"
				if k.Revoked != nil {
					status = "revoked " + k.Revoked.Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Created.Format(time.RFC3339), status)
			}
			return w.Flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "one JSON object per key")

	revoke := &cobra.Command{
		Use:     "revoke ID",
		Short:   "Revoke a key; requests with it get 401 from then on",
		Example: "  afscan keys revoke 3f2a9c0d4e5b6a71",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := open(cmd)
			if err != nil {
				return err
			}
			if err := s.Revoke(args[0], m.Now()); err != nil {
				return err
			}
			fmt.Fprintf(m.Stderr, "revoked key %s\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
