package models

import "time"

// Class is a group of students with their educators; class annotations are
// visible only to its members.
type Class struct {
	ID          uint   `gorm:"primaryKey"`
	Name        string `gorm:"size:200;not null"`
	Term        string `gorm:"size:100"`
	Description string `gorm:"type:text"`
	JoinCode    string `gorm:"size:32;uniqueIndex;not null"`
	CreatedByID uint   `gorm:"not null"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// MemberRole is a member's place in a class.
type MemberRole string

const (
	MemberStudent  MemberRole = "student"
	MemberEducator MemberRole = "educator"
)

// ClassMember puts a user in a class as a student or an educator.
type ClassMember struct {
	ClassID  uint       `gorm:"primaryKey;autoIncrement:false"`
	UserID   uint       `gorm:"primaryKey;autoIncrement:false;index"`
	Role     MemberRole `gorm:"size:16;not null"`
	JoinedAt time.Time
}
