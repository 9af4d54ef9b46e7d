package spamfilter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadYouTubeCSV(t *testing.T) {
	csv := "COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n" +
		"id1,Ann,2015-01-01,Nice song\uFEFF,0\n" +
		"id2,Bob,2015-01-02,\"Check out my channel,\n\"\"please\"\"<br />thanks\",1\n" +
		"id3,Cy,2015-01-03,Last one,0\n"
	got, err := Read("yt.csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{
		{Text: "Nice song\uFEFF", Spam: false, Source: "yt.csv:2"},
		{Text: "Check out my channel,\n\"please\"<br />thanks", Spam: true, Source: "yt.csv:3"},
		{Text: "Last one", Spam: false, Source: "yt.csv:5"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d examples, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("example %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadSMSTSV(t *testing.T) {
	tsv := "ham\tGo until jurong point\n" +
		"spam\tFree entry\tin 2 a wkly comp &lt;#&gt;\r\n" +
		"\n" +
		"ham\tOk lar...\n"
	got, err := Read("sms", strings.NewReader(tsv))
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{
		{Text: "Go until jurong point", Spam: false, Source: "sms:1"},
		{Text: "Free entry\tin 2 a wkly comp &lt;#&gt;", Spam: true, Source: "sms:2"},
		{Text: "Ok lar...", Spam: false, Source: "sms:4"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d examples, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("example %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// A corpus is imported text: bad bytes are repaired, as the importer does,
// so what is learnt can be stored on PostgreSQL.
func TestReadRepairsBadText(t *testing.T) {
	got, err := Read("sms", strings.NewReader("spam\tcaf\xe9 \xff win\x00ner\nham\tfine\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Text != "caf\uFFFD \uFFFD winner" {
		t.Fatalf("got %+v", got)
	}
}

func TestReadMalformedNamesFileAndLine(t *testing.T) {
	tests := []struct {
		name, content, wantPrefix string
	}{
		{"empty file", "", "bad.txt: empty"},
		{"unknown format", "hello world\n", "bad.txt:1:"},
		{"csv without CLASS", "COMMENT_ID,CONTENT\nx,y\n", "bad.txt:1:"},
		{"csv bad class", "CONTENT,CLASS\nfine,0\nspammy,yes\n", "bad.txt:3:"},
		{"csv stray quote", "CONTENT,CLASS\nfine,0\n\"open \"quote,1\n", "bad.txt:3:"},
		{"csv unterminated quote over lines", "CONTENT,CLASS\nfine,0\nok,1\n\"never\nclosed,1\n", "bad.txt:5:"},
		{"csv wrong field count", "CONTENT,CLASS\nfine,0\nx,1,extra\n", "bad.txt:3:"},
		{"tsv without tab", "ham\tfine\nspam no tab here\n", "bad.txt:2:"},
		{"tsv bad label", "ham\tfine\nham\tok\nmaybe\twho knows\n", "bad.txt:3:"},
		{"tsv empty text", "ham\tfine\nspam\t\nham\tok\n", "bad.txt:2: empty text"},
		{"tsv blank text", "ham\tfine\nham\tok\r\nham\t \t \r\n", "bad.txt:3: empty text"},
		{"csv empty content", "CONTENT,CLASS\nfine,0\n,1\n", "bad.txt:3: empty text"},
		{"csv blank content over lines", "CONTENT,CLASS\nfine,0\n\"  \n \",1\n", "bad.txt:3: empty text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read("bad.txt", strings.NewReader(tt.content))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.wantPrefix) {
				t.Errorf("error %q does not start with %q", err, tt.wantPrefix)
			}
		})
	}
}

func TestReadFileNamesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.tsv")
	if err := os.WriteFile(path, []byte("spam\tbuy now\nham\nspam\tagain\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":2:") {
		t.Errorf("ReadFile error = %v, want it to start with %q", err, path+":2:")
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("ReadFile of a missing file: no error")
	}
}

func TestSplitEvery(t *testing.T) {
	var examples []Example
	for i := range 25 {
		examples = append(examples, Example{Source: string(rune('a' + i))})
	}
	train, test := SplitEvery(examples, 10, 7)
	if len(train) != 19 || len(test) != 6 {
		t.Fatalf("split %d/%d, want 19/6", len(train), len(test))
	}
	if test[0].Source != "h" || train[7].Source != "k" {
		t.Errorf("unexpected order: test[0]=%s train[7]=%s", test[0].Source, train[7].Source)
	}
}
