package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestSessionKeysWrittenWholeAndShared(t *testing.T) {
	t.Setenv("MARGIN_SESSION_KEY", "")
	dir := t.TempDir()
	var wg sync.WaitGroup
	keys := make([][]byte, 8)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, b, err := sessionKeys(dir)
			if err != nil {
				t.Error(err)
				return
			}
			keys[i] = append(h, b...)
		}()
	}
	wg.Wait()
	for i := range keys {
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("process %d got other keys than process 0", i)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "session.key" {
		t.Fatalf("data directory holds %v, want only session.key (no temporary files left)", entries)
	}
	info, _ := os.Stat(filepath.Join(dir, "session.key"))
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", info.Mode().Perm())
	}
}

func TestSessionKeysReplaceEmptyFileLeftByCrash(t *testing.T) {
	t.Setenv("MARGIN_SESSION_KEY", "")
	dir := t.TempDir()
	path := filepath.Join(dir, "session.key")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h, _, err := sessionKeys(dir)
	if err != nil {
		t.Fatalf("an empty key file should be replaced, got %v", err)
	}
	h2, _, err := sessionKeys(dir)
	if err != nil || !bytes.Equal(h, h2) {
		t.Fatalf("second start got other keys (%v)", err)
	}
}
