package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"margin/models"
)

// passageBoxes measures every passage and its text, from the document's
// top: what must not move when a sheet opens.
const passageBoxes = `Array.from(document.querySelectorAll('.passage, .passage__text')).map(e => { const r = e.getBoundingClientRect(); return [r.top + scrollY, r.height, r.left, r.width]; })`

// sheetState describes passage n's notes as a sheet: [open, fixed to the
// window's foot, at most 70% of the window high, a dialog named by its
// visible heading, focus inside].
func sheetState(n int) string {
	return fmt.Sprintf(`(() => {
	const d = document.querySelector('#p-%d details.notes'), b = d.querySelector('.notes__body'), r = b.getBoundingClientRect();
	const title = document.getElementById(b.getAttribute('aria-labelledby') || 'none');
	const tr = title ? title.getBoundingClientRect() : null;
	const seen = !!tr && tr.height > 0 && tr.top >= 0 && b.contains(document.elementFromPoint(tr.left + 2, tr.top + tr.height / 2));
	return [d.open, getComputedStyle(b).position === 'fixed' && Math.abs(r.bottom - innerHeight) < 1, r.height <= innerHeight * 0.7 + 1,
		b.getAttribute('role') === 'dialog' && seen && title.textContent === 'Notes on passage %d', b.contains(document.activeElement)];
})()`, n, n)
}

// TestBrowserPhoneNotesSheet: on a 390 px phone a busy passage's notes open
// in a sheet over the foot of the window: no passage moves, the sheet is a
// dialog named by its heading with the focus in it, one is open at a time,
// Escape and Close shut it and give the focus back to the passage's
// summary, Tab past its end shuts it, a reply in a card inside it works, and the composer is a sheet
// too. axe-core checks it in both themes; without JavaScript the notes stay
// in the flow. Screenshots are saved (see artifactDir).
func TestBrowserPhoneNotesSheet(t *testing.T) {
	ts := newTestServer(t)
	doc, _ := ts.busyArticle(144, 6, 30)
	ts.createUser("phone_reader", models.RoleReader)
	ctx := newBrowser(t)
	shot := shooter(t)
	browserLogin(t, ctx, ts.URL, "phone_reader", passwordOf("phone_reader"))
	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844))
	page := fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID)
	visit(t, ctx, page, http.StatusOK)
	read(t, ctx, "scroll to passage 6", chromedp.Evaluate[bool](`(document.getElementById('p-6').scrollIntoView(), scrollBy(0, -60), true)`))
	before := read(t, ctx, "measure the passages", chromedp.Evaluate[[][]float64](passageBoxes))
	step(t, ctx, "open passage 6's notes", chromedp.Click(chromedp.CSS("#p-6 details.notes > summary")))
	if moved := firstMoved(before, read(t, ctx, "measure them again", chromedp.Evaluate[[][]float64](passageBoxes))); moved >= 0 {
		t.Errorf("opening passage 6's notes moved box %d (passages and their texts, in order)", moved)
	}
	want := []bool{true, true, true, true, true}
	if got := read(t, ctx, "the sheet", chromedp.Evaluate[[]bool](sheetState(6))); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("passage 6's notes [open, at the foot, <= 70%%, named dialog, focus in]: %v", got)
	}
	shot(ctx, "390-sheet")
	runAxe(t, ctx, "phone, notes in a sheet")
	shot(ctx, "390-sheet-light")

	step(t, ctx, "Escape", chromedp.KeyEvent("\x1b"))
	if ok := read(t, ctx, "closed, focus on the summary", chromedp.Evaluate[bool](`!document.querySelector('#p-6 details.notes').open && document.activeElement === document.querySelector('#p-6 details.notes > summary')`)); !ok {
		t.Error("Escape left the sheet open or did not give the focus back to passage 6's summary")
	}
	// One at a time: opening passage 8's closes passage 6's.
	step(t, ctx, "open passage 6's notes with the keyboard", chromedp.KeyEvent("\r"))
	if got := read(t, ctx, "the sheet again", chromedp.Evaluate[[]bool](sheetState(6))); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("passage 6's notes opened by Enter: %v", got)
	}
	read(t, ctx, "open passage 8's notes", chromedp.Evaluate[bool](`(document.querySelector('#p-8 details.notes > summary').click(), true)`))
	if open := read(t, ctx, "which are open", chromedp.Evaluate[[]int](`Array.from(document.querySelectorAll('details.notes[open]')).map(d => +d.closest('[data-passage]').dataset.passage)`)); fmt.Sprint(open) != "[8]" {
		t.Errorf("open notes after opening passage 8's: %v", open)
	}
	step(t, ctx, "Close", chromedp.Click(chromedp.CSS("#p-8 [data-notes-close]")))
	if ok := read(t, ctx, "closed by Close", chromedp.Evaluate[bool](`!document.querySelector('#p-8 details.notes').open && document.activeElement === document.querySelector('#p-8 details.notes > summary')`)); !ok {
		t.Error("Close left the sheet open or did not give the focus back to passage 8's summary")
	}
	// Tabbing on past the sheet's last control closes it: it would cover
	// where the focus went.
	step(t, ctx, "open passage 6's notes", chromedp.Click(chromedp.CSS("#p-6 details.notes > summary")))
	read(t, ctx, "focus the sheet's last control", chromedp.Evaluate[bool](`(Array.from(document.querySelectorAll('#p-6 .notes__body a, #p-6 .notes__body button')).pop().focus(), true)`))
	step(t, ctx, "Tab", chromedp.KeyEvent("	"))
	if ok := read(t, ctx, "closed by Tab", chromedp.Evaluate[bool](`!document.querySelector('#p-6 details.notes').open && document.activeElement !== document.body`)); !ok {
		t.Error("tabbing past the sheet left it open over the focus")
	}
	if moved := firstMoved(before, read(t, ctx, "measure after closing", chromedp.Evaluate[[][]float64](passageBoxes))); moved >= 0 {
		t.Errorf("opening and closing sheets moved box %d", moved)
	}

	// A highlight low in the window opens the sheet at its card, the
	// phrase kept in view above it.
	got := read(t, ctx, "click a highlight", chromedp.Evaluate[[]bool](`(() => {
		const m = Array.from(document.querySelectorAll('#p-6 mark.hl')).pop(); m.scrollIntoView({block: 'end'}); m.click();
		const r = m.getClientRects()[0], a = document.activeElement;
		return [a.matches('#p-6 .notes__body article.note, #p-6 [data-more-notes]'), r.top >= 0 && m.contains(document.elementFromPoint(r.left + 2, r.top + r.height / 2))];
	})()`))
	if !got[0] || !got[1] {
		t.Errorf("after a click on a highlight [the focus on a card in the sheet, the phrase uncovered]: %v", got)
	}
	shot(ctx, "390-highlight")
	step(t, ctx, "Escape", chromedp.KeyEvent("\x1b"))

	// The last passage too ends above its sheet: there is room to scroll.
	last := read(t, ctx, "open the last passage's notes", chromedp.Evaluate[[]float64](`(() => {
		const s = Array.from(document.querySelectorAll('.passage details.notes > summary')).pop(); s.scrollIntoView({block: 'end'}); s.click();
		return [s.closest('.passage').querySelector('.passage__text').getBoundingClientRect().bottom, s.parentElement.querySelector('.notes__body').getBoundingClientRect().top];
	})()`))
	if last[0] > last[1] {
		t.Errorf("the last passage's text ends at %v px, under its sheet at %v px", last[0], last[1])
	}
	step(t, ctx, "Escape", chromedp.KeyEvent("\x1b"))

	// A reply from a card in the sheet.
	step(t, ctx, "open passage 6's notes", chromedp.Click(chromedp.CSS("#p-6 details.notes > summary")))
	card := read(t, ctx, "the first card", chromedp.Evaluate[string](`document.querySelector('#p-6 .notes__body > article.note').id`))
	step(t, ctx, "reply in the card", chromedp.Click(chromedp.CSS("#"+card+" a[data-inline=reply]")),
		chromedp.WaitVisible(chromedp.CSS("#"+card+" [data-inline-box] textarea[name=body]")))
	typeInto(t, ctx, "#"+card+" [data-inline-box] textarea[name=body]", "Answered from the sheet.")
	shot(ctx, "390-sheet-reply")
	step(t, ctx, "post the reply", chromedp.Click(chromedp.CSS("#"+card+" [data-inline-box] button[type=submit]")))
	waitForPage(t, ctx, "the reply in the sheet", `location.hash !== '' && location.hash !== '#`+card+`' && document.getElementById('`+card+`').textContent.includes('Answered from the sheet.')`)
	if u := pageURL(t, ctx); !strings.HasPrefix(u, page+"#a-") {
		t.Errorf("after the reply the browser is at %s", u)
	}
	if got := read(t, ctx, "still a sheet", chromedp.Evaluate[[]bool](sheetState(6))); !got[0] || !got[1] || !got[4] {
		t.Errorf("after the reply passage 6's notes [open, at the foot, <= 70%%, named dialog, focus in]: %v", got)
	}
	if moved := firstMoved(before, read(t, ctx, "measure after the reply", chromedp.Evaluate[[][]float64](passageBoxes))); moved >= 0 {
		t.Errorf("the reply moved box %d", moved)
	}
	shot(ctx, "390-sheet-after-reply")
	step(t, ctx, "Escape", chromedp.KeyEvent("\x1b"))

	// The composer is a sheet too, with Post and the phrase in view.
	read(t, ctx, "select a phrase", chromedp.Evaluate[bool](selectInPassage5))
	step(t, ctx, "annotate it", chromedp.WaitVisible(chromedp.CSS("#selection-button")), chromedp.Click(chromedp.CSS("#selection-button")))
	composer := read(t, ctx, "the composer", chromedp.Evaluate[[]float64](`(() => {
		const c = document.getElementById('composer'), r = c.getBoundingClientRect(), post = c.querySelector('button[type=submit]').getBoundingClientRect();
		const phrase = getSelection().rangeCount ? getSelection().getRangeAt(0).getBoundingClientRect() : document.querySelector('#p-5 .ptext').getBoundingClientRect();
		return [getComputedStyle(c).position === 'fixed' ? 1 : 0, innerHeight - r.bottom, post.top, post.bottom, innerHeight, c.contains(document.activeElement) ? 1 : 0, r.top - phrase.top];
	})()`))
	if composer[0] != 1 || composer[1] > 1 || composer[2] < 0 || composer[3] > composer[4] || composer[5] != 1 {
		t.Errorf("the phone's composer [fixed, gap under it, Post's top, Post's bottom, window, focus in, above the phrase]: %v", composer)
	}
	if composer[6] <= 0 {
		t.Errorf("the composer covers the phrase being annotated (%v px)", composer[6])
	}
	if moved := firstMoved(before, read(t, ctx, "measure with the composer", chromedp.Evaluate[[][]float64](passageBoxes))); moved >= 0 {
		t.Errorf("the composer moved box %d", moved)
	}
	shot(ctx, "390-composer")
	step(t, ctx, "Escape", chromedp.KeyEvent("\x1b"))
	if ok := read(t, ctx, "composer closed, focus kept", chromedp.Evaluate[bool](`document.getElementById('composer').hidden && document.activeElement !== document.body`)); !ok {
		t.Error("Escape left the composer open or dropped the focus to <body>")
	}

	// Dark.
	setColorScheme(t, ctx, "dark")
	step(t, ctx, "open passage 6's notes", chromedp.Click(chromedp.CSS("#p-6 details.notes > summary")))
	shot(ctx, "390-sheet-dark")
	setColorScheme(t, ctx, "light")

	// Without JavaScript the notes open in the flow, as they always did.
	plain := newTab(t, ctx, "no script")
	disableJavaScript(t, plain)
	step(t, plain, "phone", chromedp.EmulateViewport(390, 844))
	visit(t, plain, page, http.StatusOK)
	step(t, plain, "open passage 6's notes", chromedp.Click(chromedp.CSS("#p-6 details.notes > summary")))
	flow := read(t, plain, "in the flow", chromedp.Evaluate[[]string](`(() => { const b = document.querySelector('#p-6 .notes__body');
		return [getComputedStyle(b).position, getComputedStyle(b.querySelector('.notes__sheet-head')).display]; })()`))
	if flow[0] != "static" || flow[1] != "none" {
		t.Errorf("without JavaScript passage 6's notes are %s, the sheet's heading %s", flow[0], flow[1])
	}
}
