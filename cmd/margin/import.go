package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"
	"gorm.io/gorm"

	"margin/models"
	"margin/models/textimport"
)

func importCommand(e cliEnv, args []string) error {
	fs := newFlagSet(e, "import", "margin import [flags] FILE...",
		"Imports documents (plain text, Markdown or HTML; UTF-8, UTF-16 or Windows-1252) into the library.\n"+
			"Identical content is not imported twice. Bad files are reported by name and the good ones are\n"+
			"still imported; the exit status is 1 if any file failed.")
	var store storeFlags
	store.register(fs)
	format := fs.String("format", "", "force a `format`: text, markdown or html (default: by file extension)")
	maxMB := fs.Int("max-mb", 10, "largest file accepted, in MB")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch textimport.Format(*format) {
	case "", textimport.FormatText, textimport.FormatMarkdown, textimport.FormatHTML:
	default:
		return fmt.Errorf("import: unknown format %q (use text, markdown or html)", *format)
	}
	files := fs.Args()
	if len(files) == 0 {
		fs.Usage()
		return fmt.Errorf("import: name at least one file")
	}
	db, err := store.open(e)
	if err != nil {
		return err
	}
	defer models.Close(db)

	progress := newProgress(e, len(files))
	var failed []string
	for i, path := range files {
		line, err := importOne(db, path, textimport.Format(*format), *maxMB<<20)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", path, err))
			line = fmt.Sprintf("FAILED %s: %v", path, err)
		}
		progress.step(i+1, line)
	}
	progress.done()
	if len(failed) > 0 {
		fmt.Fprintf(e.stderr, "%d of %d file(s) could not be imported:\n", len(failed), len(files))
		for _, f := range failed {
			fmt.Fprintln(e.stderr, "  "+f)
		}
		return exitError{msg: "import failed"}
	}
	return nil
}

// importOne imports a file and returns the line that reports it.
func importOne(db *gorm.DB, path string, format textimport.Format, max int) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if info.IsDir() {
		return "", fmt.Errorf("is a directory")
	}
	if info.Size() > int64(max) {
		return "", fmt.Errorf("%w (%d MB > %d MB)", textimport.ErrTooLarge, info.Size()>>20, max>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	parsed, err := textimport.Parse(filepath.Base(path), data, format, max)
	if err != nil {
		return "", err
	}
	res, err := models.ImportDocument(db, parsed, nil)
	if err != nil {
		return "", err
	}
	verb := "imported"
	if !res.Created {
		verb = "already in the library"
	}
	return fmt.Sprintf("%s %s: “%s”, document %d, %d passages", verb, path, res.Document.Title, res.Document.ID, len(parsed.Passages)), nil
}

// progress draws a bar on a terminal and prints a line per file otherwise.
type progress struct {
	e     cliEnv
	total int
	tty   bool
}

func newProgress(e cliEnv, total int) *progress {
	f, ok := e.stdout.(*os.File)
	return &progress{e: e, total: total, tty: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progress) step(n int, line string) {
	if !p.tty {
		fmt.Fprintln(p.e.stdout, line)
		return
	}
	const width = 30
	filled := width * n / p.total
	fmt.Fprintf(p.e.stdout, "\r\033[K%s\n", line)
	fmt.Fprintf(p.e.stdout, "\r\033[K[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat("-", width-filled), n, p.total)
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.e.stdout)
	}
}
