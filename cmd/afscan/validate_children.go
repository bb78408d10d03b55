package main

import "github.com/spf13/cobra"

// validateChildren holds the constructors of `afscan validate` subcommands
// (e.g. `validate qrs`); each registers itself from its own file's init.
var validateChildren []func(*Main) *cobra.Command

func registerValidate(newCmd func(*Main) *cobra.Command) {
	validateChildren = append(validateChildren, newCmd)
}
