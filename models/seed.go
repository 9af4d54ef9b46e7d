package models

import (
	"fmt"

	"gorm.io/gorm"

	"margin/models/samples"
	"margin/models/textimport"
)

// SeedSamples imports the embedded sample documents into an empty library.
// A library that has documents is left alone, so a sample an admin removed
// does not come back at the next start.
func SeedSamples(db *gorm.DB) (int, error) {
	var n int64
	if err := db.Model(&Document{}).Count(&n).Error; err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, nil
	}
	imported := 0
	for _, f := range samples.Files() {
		parsed, err := textimport.Parse(f.Name, f.Data, "", 0)
		if err != nil {
			return imported, fmt.Errorf("sample %s: %w", f.Name, err)
		}
		// A plain-text file cannot say which paragraph is a photo's
		// caption; the samples know theirs.
		for _, n := range f.Captions {
			if n >= 1 && n <= len(parsed.Passages) {
				parsed.Passages[n-1].Kind = textimport.Caption
			}
		}
		res, err := ImportDocument(db, parsed, nil)
		if err != nil {
			return imported, fmt.Errorf("sample %s: %w", f.Name, err)
		}
		if res.Created {
			imported++
		}
	}
	return imported, nil
}
