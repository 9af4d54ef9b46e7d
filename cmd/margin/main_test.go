package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"margin/models"
	"margin/models/passhash"
)

func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestImportReportsBadFilesAndKeepsGoodOnes(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	good := filepath.Join(dir, "essay.md")
	os.WriteFile(good, []byte("# An essay\n\nIts first paragraph.\n\nIts second paragraph.\n"), 0o644)
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, []byte("\n\n"), 0o644)
	binary := filepath.Join(dir, "image.png")
	os.WriteFile(binary, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), 0o644)
	missing := filepath.Join(dir, "missing.txt")

	out, errOut, err := runCLI(t, "", "import", "-data", data, empty, good, binary, missing)
	if err == nil {
		t.Fatal("import with bad files exited 0")
	}
	mustHave(t, out, "imported "+good, "“An essay”")
	for _, bad := range []string{empty, binary, missing} {
		mustHave(t, errOut, bad+":")
	}
	mustHave(t, errOut, "3 of 4 file(s) could not be imported")

	// Again: the good file is found, not duplicated, and the exit status is 0.
	out, _, err = runCLI(t, "", "import", "-data", data, good)
	if err != nil {
		t.Fatalf("re-import: %v", err)
	}
	mustHave(t, out, "already in the library")
	db, err := models.Open(models.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	docs, _ := models.ListDocuments(db)
	if len(docs) != 1 {
		t.Fatalf("%d documents, want 1", len(docs))
	}
}

func TestUserCommands(t *testing.T) {
	data := t.TempDir()
	out, _, err := runCLI(t, "a fine long passphrase\n", "user", "create", "-data", data, "-role", "moderator", "-email", "m@example.org", "Mod1")
	if err != nil {
		t.Fatal(err)
	}
	mustHave(t, out, "created mod1 (moderator)")
	if _, _, err := runCLI(t, "short\n", "user", "create", "-data", data, "weak"); err == nil || !strings.Contains(err.Error(), "at least 10") {
		t.Fatalf("weak password accepted: %v", err)
	}
	for _, bad := range []string{"a long pass\xffphrase\n", "a long pass\x00phrase\n"} {
		if _, _, err := runCLI(t, bad, "user", "create", "-data", data, "badpass"); err == nil || !strings.Contains(err.Error(), "not UTF-8") {
			t.Fatalf("password %q accepted: %v", bad, err)
		}
	}
	if _, _, err := runCLI(t, "a fine long passphrase\n", "user", "create", "-data", data, "-email", "caf\xe9@example.org", "badmail"); err == nil {
		t.Fatal("an e-mail address that is not UTF-8 was accepted")
	}
	if _, _, err := runCLI(t, "", "user", "set-role", "-data", data, "mod1", "emperor"); err == nil {
		t.Fatal("unknown role accepted")
	}
	if out, _, err := runCLI(t, "", "user", "set-role", "-data", data, "mod1", "admin"); err != nil || !strings.Contains(out, "mod1 is now admin") {
		t.Fatalf("set-role: %v %s", err, out)
	}
	if _, _, err := runCLI(t, "another long passphrase\n", "user", "set-password", "-data", data, "mod1"); err != nil {
		t.Fatal(err)
	}
	db, _ := models.Open(models.Options{DataDir: data})
	defer models.Close(db)
	u, err := models.Authenticate(db, "mod1", "another long passphrase", passhash.Fast)
	if err != nil || u.Role != models.RoleAdmin || u.SessionEpoch != 1 {
		t.Fatalf("after set-password: %+v %v", u, err)
	}
	if _, _, err := runCLI(t, "", "user", "end-sessions", "-data", data, "nobody"); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("end-sessions of an unknown user: %v", err)
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"serve", "-h"}, {"import", "-h"}, {"user", "-h"}, {"user", "create", "-h"}, {"mail", "-h"}, {"mail", "test", "-h"}} {
		out, errOut, err := runCLI(t, "", args...)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v", args, err)
		}
		if len(out+errOut) < 50 {
			t.Errorf("%v: no help text", args)
		}
	}
	if _, _, err := runCLI(t, "", "frobnicate"); err == nil {
		t.Error("unknown command accepted")
	}
}

func mustHave(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("output lacks %q:\n%s", w, s)
		}
	}
}
