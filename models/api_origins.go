package models

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// settingAPIOrigins holds, one per line, the origins besides the site that
// admins allow to write to the API and to read it with credentials.
const settingAPIOrigins = "api_cors_origins"

// MaxAPIOrigins bounds the list.
const MaxAPIOrigins = 50

// APIOrigins is the list admins keep.
func APIOrigins(db *gorm.DB) ([]string, error) {
	var s ModerationSetting
	err := db.Where("name = ?", settingAPIOrigins).First(&s).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return strings.Fields(s.Value), nil
}

// ParseOrigins reads origins, one per line or separated by spaces or
// commas: each scheme://host[:port] with http or https and nothing after.
// It returns them normalised, or a message naming the first bad one.
func ParseOrigins(text string) ([]string, string) {
	var out []string
	seen := map[string]bool{}
	for _, o := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		u, err := url.Parse(strings.TrimRight(o, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, "“" + o + "” is not an origin: write it as https://tool.example or http://localhost:8000, with nothing after the host and port."
		}
		origin := strings.ToLower(u.Scheme + "://" + u.Host)
		if !seen[origin] {
			seen[origin] = true
			out = append(out, origin)
		}
	}
	if len(out) > MaxAPIOrigins {
		return nil, "At most " + itoa(MaxAPIOrigins) + " origins."
	}
	return out, ""
}

// SetAPIOrigins replaces the list, and logs who did it.
func SetAPIOrigins(db *gorm.DB, by *User, origins []string, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		s := ModerationSetting{Name: settingAPIOrigins, Value: strings.Join(origins, "\n"), UpdatedAt: now}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&s).Error; err != nil {
			return err
		}
		return logSetting(tx, by, "set the API's allowed origins: "+plural(len(origins), "origin"), now)
	})
}
