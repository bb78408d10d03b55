package sbom

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// licenseFileNames are the file names, upper-cased, that hold a module's
// license text.
var licenseFileNames = []string{"LICENSE", "LICENSE.MD", "LICENSE.TXT", "LICENCE", "COPYING", "LICENSE-MIT", "LICENSE-APACHE", "LICENSE.CODE"}

// IdentifyLicense names the SPDX license identifier of a license text by
// the clauses that define it, or "" when it is none of MIT, ISC,
// BSD-2-Clause, BSD-3-Clause, Apache-2.0 and MPL-2.0.
func IdentifyLicense(text string) string {
	t := strings.ToLower(strings.Join(strings.Fields(text), " "))
	has := func(s ...string) bool {
		for _, x := range s {
			if !strings.Contains(t, x) {
				return false
			}
		}
		return true
	}
	switch {
	case has("apache license", "version 2.0") && (has("terms and conditions for use, reproduction, and distribution") || has("licensed under the apache license, version 2.0")):
		return "Apache-2.0"
	case has("mozilla public license", "2.0"):
		return "MPL-2.0"
	case has("permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted") ||
		has("permission to use, copy, modify, and distribute this software for any purpose with or without fee is hereby granted"):
		return "ISC"
	case has("permission is hereby granted, free of charge, to any person obtaining a copy", "the above copyright notice and this permission notice shall be included"):
		return "MIT"
	case has("redistribution and use in source and binary forms", "redistributions of source code must retain the above copyright notice"):
		if has("neither the name") || has("names of its contributors may be used") || has("name of the copyright holder nor") {
			return "BSD-3-Clause"
		}
		return "BSD-2-Clause"
	}
	return ""
}

// ModuleLicense identifies the license of an extracted module directory
// from the license files at its root. Several identified licenses are
// joined with AND (all apply); "" when none is identified.
func ModuleLicense(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	found := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || !contains(licenseFileNames, strings.ToUpper(e.Name())) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if id := IdentifyLicense(string(b)); id != "" {
			found[id] = true
		}
	}
	var ids []string
	for id := range found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return strings.Join(ids, " AND ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
