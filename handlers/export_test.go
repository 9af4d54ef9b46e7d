package handlers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"margin/models"
)

func TestCSVCell(t *testing.T) {
	cases := map[string]string{
		"=SUM(A1:A9)":                    "'=SUM(A1:A9)",
		"+1":                             "'+1",
		"-2+3":                           "'-2+3",
		"@SUM(1)":                        "'@SUM(1)",
		"\t=1":                           "'\t=1",
		"\r=1":                           "'\r=1",
		"plain":                          "plain",
		"":                               "",
		"a=b":                            "a=b",
		" =1":                            " =1",
		"Œuvre, “quoted”":                "Œuvre, “quoted”",
		"bad \xff byte":                  "bad \uFFFD byte",
		"=HYPERLINK(\"http://x\",\"y\")": "'=HYPERLINK(\"http://x\",\"y\")",
	}
	for in, want := range cases {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEncodeCSV checks RFC 4180: CRLF line ends, quoting of fields with
// commas, quotes and line breaks, doubled quotes, and a round trip.
func TestEncodeCSV(t *testing.T) {
	rows := [][]string{
		{"comma, inside", `say "hi"`, "two\nlines", "=1+1"},
		{"plain", "", "naïve café", "-5"},
	}
	body, err := encodeCSV([]string{"A", "B", "C", "D"}, rows)
	if err != nil {
		t.Fatal(err)
	}
	want := "A,B,C,D\r\n" +
		"\"comma, inside\",\"say \"\"hi\"\"\",\"two\r\nlines\",'=1+1\r\n" + // a line break inside a field is CRLF too
		"plain,,naïve café,'-5\r\n"
	if string(body) != want {
		t.Errorf("CSV:\n%q\nwant\n%q", body, want)
	}
	r := csv.NewReader(bytes.NewReader(body))
	got, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1][0] != "comma, inside" || got[1][1] != `say "hi"` || got[1][2] != "two\nlines" || got[1][3] != "'=1+1" {
		t.Errorf("read back: %q", got)
	}
}

func readCSV(t *testing.T, res response) [][]string {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("status %d\n%.1000s", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv; charset=utf-8") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := res.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`) || !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if cc := res.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q", cc)
	}
	if !strings.Contains(res.body, "\r\n") {
		t.Error("lines do not end with CRLF")
	}
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180: %v\n%s", err, res.body)
	}
	return rows
}

func TestGradesAndAnnotationsCSV(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{MinAnnotations: 1})
	// A username may start with a hyphen, which a spreadsheet reads as a formula.
	evil, eu := w.student("-evil")
	w.student("quiet")
	body := "=HYPERLINK(\"http://attacker.example\",\"click\")\n\nSecond line, with a comma and \"quotes\"."
	note := w.classNote(evil, 1, "comment", body)
	w.ts.publish(note) // a formula with a link looks like spam; the export is what is tested
	points := 3.5
	as, _ := models.AssignmentByID(w.ts.db, w.assignment.ID)
	if err := models.SetPoints(w.ts.db, as, eu.ID, w.teacherU, &points); err != nil {
		t.Fatal(err)
	}

	rows := readCSV(t, w.teacher.get(assignmentPath(w.assignment.ID)+"/grades.csv"))
	if len(rows) != 3 {
		t.Fatalf("%d rows: %q", len(rows), rows)
	}
	header := strings.Join(rows[0], "|")
	if header != "Student|Annotations|Replies|Comment|Question|Disagreement|Reference|Context|Status|Complete|Late|Late items|Last activity (UTC)|Points" {
		t.Errorf("header %s", header)
	}
	if got := rows[1]; got[0] != "'-evil" || got[1] != "1" || got[3] != "1" || got[8] != "complete" || got[9] != "yes" || got[13] != "3.5" || got[12] == "" {
		t.Errorf("evil's row: %q", got)
	}
	if got := rows[2]; got[0] != "quiet" || got[1] != "0" || got[8] != "not started" || got[13] != "" {
		t.Errorf("quiet's row: %q", got)
	}

	// Notes of other visibilities and other classes stay out of the class export.
	private, _ := evil.annotate(w.doc, url.Values{"kind": {"comment"}, "body": {"private thought"}, "passage": {"1"}, "visibility": {"private"}})
	public, _ := evil.annotate(w.doc, url.Values{"kind": {"comment"}, "body": {"public thought"}, "passage": {"1"}, "visibility": {"public"}})
	if private == 0 || public == 0 {
		t.Fatal("could not post the private and public notes")
	}
	rows = readCSV(t, w.teacher.get(fmt.Sprintf("/classes/%d/annotations.csv", w.class.ID)))
	if len(rows) != 2 {
		t.Fatalf("annotations export has %d rows: %q", len(rows), rows)
	}
	got := rows[1]
	if got[0] != fmt.Sprint(note) || got[3] != "'-evil" || got[4] != "Comment" || !strings.HasPrefix(got[9], "'=HYPERLINK(") ||
		!strings.Contains(got[9], "\n\nSecond line, with a comma and \"quotes\".") || !strings.HasSuffix(got[12], fmt.Sprintf("/annotations/%d", note)) {
		t.Errorf("annotation row: %q", got)
	}
	if got[1] != "The Short-lived NATO-Russia Honeymoon" {
		t.Errorf("reading column %q", got[1])
	}
}
