package spamfilter

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Example is one labelled message of a corpus.
type Example struct {
	Text   string
	Spam   bool
	Source string // "file:line" where the message starts
}

// ReadFile reads a labelled corpus, detecting its format (see Read).
func ReadFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(path, f)
}

// Read reads a labelled corpus in one of two formats, told apart by the
// first line:
//   - YouTube Spam Collection CSV: RFC 4180, a header naming CONTENT and
//     CLASS columns (CLASS 1 is spam, 0 ham); fields may span lines;
//   - SMS Spam Collection TSV: no header, each line "ham" or "spam", a tab,
//     the text.
//
// A message whose text is empty or only whitespace is refused: it would
// teach the model nothing but a count. Bytes that are not UTF-8 become
// U+FFFD and NULs are dropped, so what is learnt can be stored.
//
// name is used in Source and in errors, which read "name:line: problem".
func Read(name string, r io.Reader) ([]Example, error) {
	br := bufio.NewReader(r)
	first, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(first) == 0 {
		return nil, fmt.Errorf("%s: empty file", name)
	}
	first = bytes.TrimPrefix(first, []byte("\uFEFF"))
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	line := strings.TrimSuffix(string(first), "\r")
	switch {
	case strings.TrimSpace(line) == "":
		return nil, fmt.Errorf("%s:1: empty first line, expected a CSV header or a ham/spam line", name)
	case strings.HasPrefix(line, "ham\t") || strings.HasPrefix(line, "spam\t"):
		return readTSV(name, br)
	case strings.Contains(strings.ToUpper(line), "CONTENT") && strings.Contains(strings.ToUpper(line), "CLASS"):
		return readCSV(name, br)
	}
	return nil, fmt.Errorf("%s:1: unknown corpus format: want a CSV header with CONTENT and CLASS, or \"ham\"/\"spam\", a tab and the text", name)
}

func readTSV(name string, r io.Reader) ([]Example, error) {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	var examples []Example
	for lineNo := 1; scanner.Scan(); lineNo++ {
		line := strings.TrimSuffix(scanner.Text(), "\r")
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if line == "" {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok {
			return nil, fmt.Errorf("%s:%d: no tab between label and text", name, lineNo)
		}
		var spam bool
		switch label {
		case "spam":
			spam = true
		case "ham":
		default:
			return nil, fmt.Errorf("%s:%d: label %q is neither ham nor spam", name, lineNo, label)
		}
		if strings.TrimSpace(text) == "" {
			return nil, fmt.Errorf("%s:%d: empty text", name, lineNo)
		}
		examples = append(examples, Example{Text: repairText(text), Spam: spam, Source: name + ":" + strconv.Itoa(lineNo)})
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return examples, nil
}

func readCSV(name string, r io.Reader) ([]Example, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, csvError(name, err)
	}
	content, class := -1, -1
	for i, h := range header {
		switch strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))) {
		case "CONTENT":
			content = i
		case "CLASS":
			class = i
		}
	}
	if content < 0 || class < 0 {
		return nil, fmt.Errorf("%s:1: header lacks a CONTENT or CLASS column", name)
	}
	var examples []Example
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return examples, nil
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		lineNo, _ := cr.FieldPos(0)
		var spam bool
		switch strings.TrimSpace(record[class]) {
		case "1":
			spam = true
		case "0":
		default:
			classLine, _ := cr.FieldPos(class)
			return nil, fmt.Errorf("%s:%d: CLASS %q is neither 0 nor 1", name, classLine, record[class])
		}
		if strings.TrimSpace(record[content]) == "" {
			contentLine, _ := cr.FieldPos(content)
			return nil, fmt.Errorf("%s:%d: empty text", name, contentLine)
		}
		examples = append(examples, Example{Text: repairText(record[content]), Spam: spam, Source: name + ":" + strconv.Itoa(lineNo)})
	}
}

func csvError(name string, err error) error {
	var parseErr *csv.ParseError
	if errors.As(err, &parseErr) {
		if parseErr.StartLine != parseErr.Line {
			return fmt.Errorf("%s:%d: %w (in the record that starts on line %d)", name, parseErr.Line, parseErr.Err, parseErr.StartLine)
		}
		return fmt.Errorf("%s:%d: %w", name, parseErr.Line, parseErr.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// repairText makes a corpus message valid text for the store.
func repairText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}
