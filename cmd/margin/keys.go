package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// sessionKeys returns the cookie signing (64 bytes) and encryption (32 bytes)
// keys: from MARGIN_SESSION_KEY (hex, 96 bytes) when set, which every
// instance sharing a database must then agree on; else from the data
// directory, generated on first start with mode 0600.
func sessionKeys(dataDir string) (hashKey, blockKey []byte, err error) {
	if v := os.Getenv("MARGIN_SESSION_KEY"); v != "" {
		raw, err := hex.DecodeString(strings.TrimSpace(v))
		if err != nil || len(raw) != 96 {
			return nil, nil, errors.New("MARGIN_SESSION_KEY must be 192 hex digits (96 random bytes); generate one with: openssl rand -hex 96")
		}
		return raw[:64], raw[64:], nil
	}
	path := filepath.Join(dataDir, "session.key")
	raw, err := os.ReadFile(path)
	// An empty file is what a crash during first start left before keys were
	// written atomically: no session was ever signed with it, so replace it.
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(strings.TrimSpace(string(raw))) == 0) {
		replace := err == nil
		raw = make([]byte, 96)
		if _, err := rand.Read(raw); err != nil {
			return nil, nil, err
		}
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, nil, err
		}
		err := writeSecret(path, []byte(hex.EncodeToString(raw)+"\n"), replace)
		if errors.Is(err, fs.ErrExist) {
			// Another process wrote it first; use theirs.
			return sessionKeys(dataDir)
		}
		if err != nil {
			return nil, nil, err
		}
		return raw[:64], raw[64:], nil
	}
	if err != nil {
		return nil, nil, err
	}
	if info, statErr := os.Stat(path); statErr == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, nil, fmt.Errorf("%s is readable by others (mode %v); run: chmod 600 %s", path, info.Mode().Perm(), path)
	}
	decoded, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(decoded) != 96 {
		return nil, nil, fmt.Errorf("%s is damaged: expected 192 hex digits; delete it to generate new keys (everyone will be logged out)", path)
	}
	return decoded[:64], decoded[64:], nil
}

// writeSecret puts data at path so that a crash at any moment leaves either
// no file or the whole file: it writes a temporary file beside it, syncs it,
// links (or, with replace, renames) it into place and syncs the directory.
// Without replace, an existing file wins and fs.ErrExist is returned.
func writeSecret(path string, data []byte, replace bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".secret-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if replace {
		err = os.Rename(tmp, path)
	} else {
		err = os.Link(tmp, path)
	}
	if err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
