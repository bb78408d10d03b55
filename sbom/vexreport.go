package sbom

import (
	"fmt"
	"strings"
	"time"
)

// VEXMarkdown renders the vulnerability statements as a Markdown table,
// headed by the scan they come from and the count of each status.
func (b *BOM) VEXMarkdown() string {
	var s strings.Builder
	fmt.Fprintf(&s, "# Vulnerability status (VEX) of %s %s\n\n", b.Main().Name, b.Main().Version)
	fmt.Fprintf(&s, "Generated %s by %s.\n\n", b.Created.UTC().Format(time.RFC3339), b.Tool)
	if b.VulnSource == "" {
		s.WriteString("No vulnerability scan was given (--vulns): the status of components is not asserted.\n")
		return s.String()
	}
	fmt.Fprintf(&s, "Scan: %s.\n\n", b.VulnSource)
	count := map[string]int{}
	for _, v := range b.Vulns {
		count[v.Status]++
	}
	fmt.Fprintf(&s, "**%d affected, %d not affected, %d fixed.**\n\n", count[StatusAffected], count[StatusNotAffected], count[StatusFixed])
	if len(b.Vulns) == 0 {
		s.WriteString("govulncheck reported no known vulnerability in any component.\n")
		return s.String()
	}
	s.WriteString("| id | aliases | component | version | fixed in | status | justification | detail |\n|---|---|---|---|---|---|---|---|\n")
	for _, v := range b.Vulns {
		fmt.Fprintf(&s, "| [%s](%s) | %s | %s | %s | %s | %s | %s | %s |\n", v.ID, v.URL(), strings.Join(v.Aliases, ", "), v.Module, v.Version, v.FixedVersion, v.Status, v.Justification, strings.ReplaceAll(v.Detail, "|", `\|`))
	}
	return s.String()
}
