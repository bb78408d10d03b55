package main

import (
	"fmt"
	"os"

	"github.com/afscan/afscan/dhf"
	"github.com/spf13/cobra"
)

func init() { register(newIMDRFCmd) }

func newIMDRFCmd(m *Main) *cobra.Command {
	var path string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "imdrf --intended-use FILE [--json]",
		Short: "Classify an intended use: IMDRF SaMD category, EU MDR Rule 11 class, IEC 62304 safety class",
		Long: `imdrf reads a machine-readable intended-use file (YAML; see dhf/intended-use.yaml)
and prints the IMDRF SaMD N12 (2014) category from the state × significance table,
the EU MDR Annex VIII Rule 11 class with the rule text, and a suggested IEC 62304
software safety class from the severity of the worst credible harm, each with its
reasoning. Incomplete or inconsistent files are rejected with the field named (exit 2).`,
		Example: "  afscan imdrf --intended-use dhf/intended-use.yaml\n  afscan imdrf --intended-use dhf/intended-use.yaml --json > dhf/classification.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if path == "" {
				path = m.env("intended-use")
			}
			if path == "" {
				return usageErr{fmt.Errorf("--intended-use FILE is required")}
			}
			f, err := os.Open(path)
			if err != nil {
				return usageErr{err}
			}
			defer f.Close()
			u, err := dhf.ParseIntendedUse(f)
			if err != nil {
				return usageErr{fmt.Errorf("%s: %w", path, err)}
			}
			c := dhf.Classify(u)
			if asJSON {
				b, err := c.JSON()
				if err != nil {
					return err
				}
				_, err = m.Stdout.Write(b)
				return err
			}
			_, err = fmt.Fprint(m.Stdout, c.Markdown())
			return err
		},
	}
	cmd.Flags().StringVar(&path, "intended-use", "", "intended-use YAML file (env AFSCAN_INTENDED_USE)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the classification as JSON")
	return cmd
}
