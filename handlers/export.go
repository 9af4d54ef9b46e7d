package handlers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// csvCell makes a value safe to open in a spreadsheet: valid UTF-8, and a
// cell that a spreadsheet would run as a formula (starting with = + - @,
// a tab or a carriage return) gets a leading apostrophe, so it shows as
// the text it is.
func csvCell(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// encodeCSV writes an RFC 4180 table: CRLF line ends, fields with commas,
// quotes or line breaks quoted, quotes doubled.
func encodeCSV(header []string, rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	for _, row := range append([][]string{header}, rows...) {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = csvCell(v)
		}
		if err := w.Write(cells); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// sendCSV answers with a CSV download that no cache keeps.
func sendCSV(c echo.Context, name string, header []string, rows [][]string) error {
	body, err := encodeCSV(header, rows)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiFileName(name), url.PathEscape(name)))
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8; header=present", body)
}

// asciiFileName keeps letters, digits, dots and hyphens, for browsers that
// ignore filename*.
func asciiFileName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '.' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// gradesCSV exports an assignment's table: counts, status and points per
// student.
func (a *App) gradesCSV(c echo.Context) error {
	as, class, err := a.taughtAssignment(c)
	if err != nil {
		return err
	}
	rows, err := models.AssignmentTable(a.db, as, a.now())
	if err != nil {
		return err
	}
	header := []string{"Student", "Annotations", "Replies"}
	for _, k := range models.Kinds {
		header = append(header, k.Label())
	}
	header = append(header, "Status", "Complete", "Late", "Late items", "Last activity (UTC)", "Points")
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		line := []string{r.Student.Username, strconv.Itoa(r.Annotations), strconv.Itoa(r.Replies)}
		for _, k := range models.Kinds {
			line = append(line, strconv.Itoa(r.ByKind[k]))
		}
		points := ""
		if r.Points != nil {
			points = models.FormatPoints(*r.Points)
		}
		line = append(line, string(r.Status), yesNo(r.Met), yesNo(r.Status == models.Late), strconv.Itoa(r.LateItems),
			csvTime(r.LastActivity), points)
		out = append(out, line)
	}
	return sendCSV(c, class.Name+" - "+as.Document.Title+" - grades.csv", header, out)
}

// classAnnotationsCSV exports every annotation shared with the class.
func (a *App) classAnnotationsCSV(c echo.Context) error {
	class, err := a.taughtClass(c)
	if err != nil {
		return err
	}
	anns, err := models.ClassAnnotations(a.db, a.currentUser(c), class.ID)
	if err != nil {
		return err
	}
	header, out, err := a.annotationsExportRows(c, anns)
	if err != nil {
		return err
	}
	return sendCSV(c, class.Name+" - annotations.csv", header, out)
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}
