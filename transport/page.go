package transport

import (
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"

	"github.com/russross/blackfriday/v2"
)

// The paper checklists are generated as Markdown (CEREMONY.md, so they
// read well as text and in the repository); WriteMarkdownPage prints the
// same text as a page for a browser's print dialog. blackfriday is the
// Markdown renderer cobra's man pages already use (no new module).

// htmlComment drops the generator's note: it is for the repository, not
// for the paper.
var htmlComment = regexp.MustCompile(`(?s)<!--.*?-->\s*`)

// WriteMarkdownPage writes markdown as a self-contained, print-ready HTML
// page: A4 margins, tables with ruled cells, a box (☐) for every "[ ]",
// each "##" section starting on a new sheet, nothing loaded from outside.
// Raw HTML in markdown is escaped, not passed through.
func WriteMarkdownPage(w io.Writer, title, markdown string) error {
	markdown = htmlComment.ReplaceAllString(markdown, "")
	r := blackfriday.NewHTMLRenderer(blackfriday.HTMLRendererParameters{Flags: blackfriday.SkipHTML | blackfriday.Smartypants | blackfriday.SmartypantsDashes})
	body := string(blackfriday.Run([]byte(markdown), blackfriday.WithRenderer(r),
		blackfriday.WithExtensions(blackfriday.Tables|blackfriday.NoIntraEmphasis|blackfriday.SpaceHeadings)))
	body = strings.ReplaceAll(body, "[ ]", `<span class="box">☐</span>`)
	_, err := fmt.Fprintf(w, markdownPage, html.EscapeString(title), body)
	return err
}

const markdownPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%s</title>
<style>
@page { size: A4; margin: 15mm; }
body { font-family: sans-serif; font-size: 10.5pt; line-height: 1.35; color: #000; background: #fff; max-width: 180mm; margin: 10mm auto; }
h1 { font-size: 17pt; } h2 { font-size: 14pt; margin-top: 0; } h3 { font-size: 12pt; margin-bottom: 2mm; }
code { font-family: monospace; font-size: 10pt; }
table { border-collapse: collapse; margin: 2mm 0 4mm 0; }
th, td { border: 1px solid #000; padding: 1.5mm 3mm; min-width: 12mm; height: 6mm; text-align: left; }
blockquote { border-left: 2mm solid #000; margin: 3mm 0; padding: 1mm 4mm; }
li { margin: 1mm 0; }
.box { font-size: 13pt; }
hr { border: 0; margin: 0; }
@media print {
  body { margin: 0; max-width: none; }
  hr { break-after: page; page-break-after: always; }
  h3, table, li { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
</style>
</head>
<body>
%s</body>
</html>
`
