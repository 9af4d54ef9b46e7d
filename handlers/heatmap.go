package handlers

import (
	"fmt"

	"margin/models"
)

// heatMap is the server-drawn picture of where a class's notes on a reading
// gathered, one bar per passage, with the table that says the same in text.
type heatMap struct {
	DocumentID uint
	// AssignmentID, when set, lays the heat map over the text its table's
	// passages link to.
	AssignmentID uint
	Bars         []heatBar
	Active       []models.HeatRow // passages with notes, for the table
	Width        int
	Height       int
	LabelX       int // where the passage numbers end
	TrackX       int // where the bars start
	TrackWidth   int
	RowHeight    int
	Labels       bool // rows are tall enough to number
	Summary      string
}

// heatBar is one passage's row: three segments (questions, disagreements,
// the rest) laid end to end.
type heatBar struct {
	models.HeatRow
	Y, TextY          int
	QX, QW, DX, DW    int
	OX, OW            int
	CountX, BarHeight int
}

const (
	heatLabelWidth = 56
	heatBarWidth   = 520
)

func newHeatMap(docID uint, rows []models.HeatRow) heatMap {
	h := heatMap{DocumentID: docID, Width: heatLabelWidth + heatBarWidth + 48, LabelX: heatLabelWidth - 8, TrackX: heatLabelWidth, TrackWidth: heatBarWidth}
	if len(rows) == 0 {
		return h
	}
	h.RowHeight = min(20, max(4, 1200/len(rows)))
	h.Labels = h.RowHeight >= 14
	h.Height = h.RowHeight * len(rows)
	most := rows[0]
	for _, r := range rows {
		if r.Annotations > most.Annotations {
			most = r
		}
		if r.Annotations > 0 {
			h.Active = append(h.Active, r)
		}
	}
	scale := float64(heatBarWidth) / float64(max(1, most.Annotations))
	width := func(n int) int { return int(float64(n)*scale + 0.5) }
	for i, r := range rows {
		b := heatBar{HeatRow: r, Y: i * h.RowHeight, BarHeight: max(2, h.RowHeight-4)}
		b.TextY = b.Y + h.RowHeight/2 + 4
		b.QX, b.QW = heatLabelWidth, width(r.Questions)
		b.DX, b.DW = b.QX+b.QW, width(r.Disagreements)
		b.OX, b.OW = b.DX+b.DW, width(r.Annotations-r.Questions-r.Disagreements)
		b.CountX = b.OX + b.OW + 6
		h.Bars = append(h.Bars, b)
	}
	if most.Annotations == 0 {
		h.Summary = "No notes from students yet."
	} else {
		h.Summary = fmt.Sprintf("Notes gathered most on passage %d (%s); %d of %d passages have notes.",
			most.Number, plural(most.Annotations, "note"), len(h.Active), len(rows))
	}
	return h
}
