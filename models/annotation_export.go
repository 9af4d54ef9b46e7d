package models

import "gorm.io/gorm"

// PublishedAnnotations lists one page of a document's annotations for export
// (the W3C API): published, not deleted, and visible to viewer, oldest
// first, with how many there are in all. Unlike the reading view it leaves
// out even the viewer's own held or refused notes.
func PublishedAnnotations(db *gorm.DB, docID uint, viewer *User, offset, limit int) ([]Annotation, int64, error) {
	published := func(db *gorm.DB) *gorm.DB {
		return db.Model(&Annotation{}).Scopes(VisibleTo(viewer, false)).
			Where("annotations.document_id = ? AND annotations.status = ? AND annotations.deleted_at IS NULL", docID, StatusPublished)
	}
	var total int64
	if err := db.Scopes(published).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var out []Annotation
	if total == 0 || offset >= int(total) {
		return out, total, nil
	}
	err := db.Scopes(published).
		Preload("Author", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username", "role") }).
		Preload("Citations", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Order("annotations.id").Offset(offset).Limit(limit).Find(&out).Error
	return out, total, err
}

// RevisionStamps maps a document's revision ids to their number and date,
// leaving out the text.
func RevisionStamps(db *gorm.DB, docID uint) (map[uint]Revision, error) {
	var revs []Revision
	err := db.Select("id", "document_id", "number", "created_at").Where("document_id = ?", docID).Find(&revs).Error
	out := make(map[uint]Revision, len(revs))
	for _, r := range revs {
		out[r.ID] = r
	}
	return out, err
}

// AuthoredAnnotations is everything u wrote that still stands, for their
// own export: private, class and held notes included; deleted and purged
// ones are gone.
func AuthoredAnnotations(db *gorm.DB, userID uint) ([]Annotation, error) {
	var out []Annotation
	err := db.Preload("Author", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		Preload("Citations", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("author_id = ? AND deleted_at IS NULL AND purged_at IS NULL", userID).
		Order("document_id, id").Find(&out).Error
	return out, err
}

// MaxExport bounds one document's export; a larger one is read page by
// page through the Protocol.
const MaxExport = 100000
