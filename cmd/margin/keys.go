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
	if errors.Is(err, fs.ErrNotExist) {
		raw = make([]byte, 96)
		if _, err := rand.Read(raw); err != nil {
			return nil, nil, err
		}
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			// Another process wrote it first; use theirs.
			return sessionKeys(dataDir)
		}
		if err != nil {
			return nil, nil, err
		}
		if _, err := f.Write([]byte(hex.EncodeToString(raw) + "\n")); err != nil {
			f.Close()
			return nil, nil, err
		}
		if err := f.Close(); err != nil {
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
