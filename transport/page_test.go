package transport_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/airsign/airsign/transport"
)

// TestWriteMarkdownPage: the page has the Markdown's structure, boxes for
// "[ ]", no generator comment, and outside HTML escaped, never run.
func TestWriteMarkdownPage(t *testing.T) {
	md := "# Title\n\n<!-- generated: do not edit -->\n\n- [ ] **1.1 Step** — do it <script>alert(1)</script>\n\n| Name | Role |\n|---|---|\n| | Witness |\n"
	var out bytes.Buffer
	if err := transport.WriteMarkdownPage(&out, "a <checklist>", md); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	for _, want := range []string{"<title>a &lt;checklist&gt;</title>", "<h1>Title</h1>", `<span class="box">☐</span> <strong>1.1 Step</strong>`, "<table>", "<td>Witness</td>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	for _, bad := range []string{"<script>", "generated: do not edit", "[ ]"} {
		if strings.Contains(page, bad) {
			t.Errorf("page has %q:\n%s", bad, page)
		}
	}
}
