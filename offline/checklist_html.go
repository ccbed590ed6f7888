package offline

import (
	"bytes"

	"github.com/airsign/airsign/transport"
)

// ChecklistHTML writes the paper checklist of a ceremony (all if name is
// "") as a print-ready HTML page: the same text as Checklist, for a
// browser's print dialog instead of raw Markdown.
func ChecklistHTML(env *Env, name string) error {
	var md bytes.Buffer
	if err := Checklist(&Env{Stdout: &md}, name); err != nil {
		return err
	}
	title := "airsign ceremony checklists"
	if name != "" {
		title = "airsign " + name + " ceremony checklist"
	}
	return transport.WriteMarkdownPage(env.Stdout, title, md.String())
}
