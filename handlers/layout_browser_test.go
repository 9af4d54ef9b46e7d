package handlers

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"margin/models"
)

// TestBrowserBusyArticleLayout reads the sample article with 144 notes, 30
// of them on passage 6, as a reader would at 1366x900, 1280x720 and on a
// 390 px phone: opening the busy passage's notes leaves every passage's text
// where it was, a highlight brings its note into view, the composer keeps
// Post on screen and gives the focus back on Escape, and the phone has no
// sideways scrolling. A screenshot of each width is saved (see artifactDir)
// to be looked at.
func TestBrowserBusyArticleLayout(t *testing.T) {
	ts := newTestServer(t)
	doc, _ := ts.busyArticle(144, 6, 30)
	ts.createUser("layout_reader", models.RoleReader)
	ctx := newBrowser(t)
	browserLogin(t, ctx, ts.URL, "layout_reader", passwordOf("layout_reader"))
	dir, err := artifactDir(t)
	if err != nil {
		t.Fatal(err)
	}
	shot := func(name string) {
		t.Helper()
		png := read(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join(dir, safeFileName(t.Name()+"-"+name)+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	textBoxes := `Array.from(document.querySelectorAll('.passage__text')).map(e => { const r = e.getBoundingClientRect(); return [r.top + scrollY, r.height, r.left, r.width]; })`
	for _, vp := range []struct {
		w, h int
		wide bool
	}{{1366, 900, true}, {1280, 720, true}, {390, 844, false}} {
		name := fmt.Sprintf("%dx%d", vp.w, vp.h)
		step(t, ctx, "window "+name, chromedp.EmulateViewport(int64(vp.w), int64(vp.h)))
		visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID), http.StatusOK)
		if sideways := read(t, ctx, "page width", chromedp.Evaluate[float64](`document.scrollingElement.scrollWidth - innerWidth`)); sideways > 0 {
			t.Errorf("%s: the page scrolls %v px sideways", name, sideways)
		}
		shot(name)
		if !vp.wide {
			// A finger's selection: no mouseup, no keyup, only selectionchange.
			step(t, ctx, "touch screen", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 5})
				return err
			}))
			read(t, ctx, "select a phrase by touch", chromedp.Evaluate[bool](selectInPassage5))
			step(t, ctx, "the button shows for a touch selection", chromedp.WaitVisible(chromedp.CSS("#selection-button")))
			continue
		}
		before := read(t, ctx, "measure the text", chromedp.Evaluate[[][]float64](textBoxes))
		step(t, ctx, "open the busy passage's notes", chromedp.Click(chromedp.CSS("#p-6 details.notes > summary")))
		after := read(t, ctx, "measure the text again", chromedp.Evaluate[[][]float64](textBoxes))
		if moved := firstMoved(before, after); moved >= 0 {
			t.Errorf("%s: opening passage 6's notes moved passage %d's text: %v -> %v", name, moved+1, before[moved], after[moved])
		}
		shot(name + "-open")
		if vp.w == 1366 {
			// "more threads" brings the rest into the margin, in place.
			where := pageURL(t, ctx)
			step(t, ctx, "ask for the other threads", chromedp.Click(chromedp.CSS("#p-6 [data-more-notes]")))
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.querySelector('#p-6 [data-more-notes]') && document.querySelectorAll('#p-6 .notes__body > article.note').length > 3`,
				chromedp.WithPollingTimeout(browserStepTimeout))); err != nil {
				t.Errorf("the other threads did not come into the margin: %v", err)
			}
			if got := pageURL(t, ctx); got != where {
				t.Errorf("asking for the other threads went to %s", got)
			}
			if moved := firstMoved(before, read(t, ctx, "measure the text with every thread", chromedp.Evaluate[[][]float64](textBoxes))); moved >= 0 {
				t.Errorf("%s: every thread in the margin moved passage %d's text", name, moved+1)
			}
		}
		// A highlight brings its note into view, beside it.
		step(t, ctx, "close the notes", chromedp.Click(chromedp.CSS("#p-6 details.notes > summary")))
		read(t, ctx, "click a highlight", chromedp.Evaluate[bool](`(() => { const m = document.querySelector('#p-6 mark.hl') || document.querySelector('mark.hl'); m.scrollIntoView({block: 'center'}); m.click(); return true; })()`))
		inView := read(t, ctx, "is the note in view", chromedp.Evaluate[bool](`(() => {
			const a = document.activeElement, r = a.getBoundingClientRect();
			return a !== document.body && r.bottom > 0 && r.top < innerHeight && getComputedStyle(a).visibility !== 'hidden';
		})()`))
		if !inView {
			t.Errorf("%s: after a click on the highlight, the focused note is not in view", name)
		}
		// The composer: Post on screen, the floating button gone, focus back on Escape.
		read(t, ctx, "select a phrase", chromedp.Evaluate[bool](selectInPassage5))
		step(t, ctx, "annotate the selection", chromedp.WaitVisible(chromedp.CSS("#selection-button")), chromedp.Click(chromedp.CSS("#selection-button")))
		step(t, ctx, "choose Reference", chromedp.Click(chromedp.CSS(`#composer input[name=kind][value=reference]`)))
		post := read(t, ctx, "where is Post", chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('#composer button[type=submit]').getBoundingClientRect(); return [r.top, r.bottom, innerHeight, document.getElementById('selection-button').hidden ? 1 : 0]; })()`))
		if post[1] > post[2] || post[0] < 0 {
			t.Errorf("%s: Post is at %v-%v px, outside the %v px window", name, post[0], post[1], post[2])
		}
		if post[3] != 1 {
			t.Errorf("%s: the floating Annotate button stays once the composer is open", name)
		}
		overText := read(t, ctx, "does the composer cover the text", chromedp.Evaluate[bool](`(() => {
			const c = document.getElementById('composer').getBoundingClientRect(), t = document.querySelector('#p-5 .passage__text').getBoundingClientRect();
			return c.left < t.right - 1; })()`))
		if overText {
			t.Errorf("%s: the composer lies over the text", name)
		}
		shot(name + "-composer")
		step(t, ctx, "press Escape", chromedp.KeyEvent("\x1b"))
		if focus := read(t, ctx, "where is the focus", chromedp.Evaluate[string](`document.activeElement === document.body ? 'body' : document.activeElement.tagName`)); focus == "body" {
			t.Errorf("%s: Escape dropped the focus to <body>", name)
		}
		if vp.w != 1366 {
			continue
		}
		// An error stays in the composer, the words kept.
		read(t, ctx, "select a phrase again", chromedp.Evaluate[bool](selectInPassage5))
		step(t, ctx, "annotate it", chromedp.WaitVisible(chromedp.CSS("#selection-button")), chromedp.Click(chromedp.CSS("#selection-button")))
		step(t, ctx, "choose Disagreement", chromedp.Click(chromedp.CSS(`#composer input[name=kind][value=disagreement]`)))
		typeInto(t, ctx, "#f-body-inline", "I read this otherwise.")
		where := pageURL(t, ctx)
		step(t, ctx, "post without a counterpoint", chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`#composer .field-error`)))
		if got := pageURL(t, ctx); got != where {
			t.Errorf("an error in the composer went to %s", got)
		}
		if kept := read(t, ctx, "read the words", chromedp.Value(chromedp.CSS("#f-body-inline"))); kept != "I read this otherwise." {
			t.Errorf("after the error the note reads %q", kept)
		}
		shot(name + "-composer-error")
		runAxe(t, ctx, "composer with an error")
	}
	step(t, ctx, "laptop window", chromedp.EmulateViewport(1366, 900))
	visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID), http.StatusOK)
	runAxe(t, ctx, "busy document")
	setColorScheme(t, ctx, "dark")
	visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc.ID), http.StatusOK)
	step(t, ctx, "open the busy passage's notes", chromedp.Click(chromedp.CSS("#p-6 details.notes > summary")))
	read(t, ctx, "bring them into view", chromedp.Evaluate[bool](`(document.getElementById('p-6').scrollIntoView(), true)`))
	shot("1366x900-dark-open")
	runAxe(t, ctx, "busy document, dark, notes open")
}

// selectInPassage5 selects the start of passage 5's text as a script
// would, with no mouse or key event.
const selectInPassage5 = `(() => {
	const p = document.querySelector('#p-5 .ptext'); p.scrollIntoView({block: 'center'});
	const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT); const node = walker.nextNode();
	const r = document.createRange(); r.setStart(node, 0); r.setEnd(node, Math.min(node.length, 25));
	const s = getSelection(); s.removeAllRanges(); s.addRange(r); return true; })()`

// firstMoved is the index of the first box that moved, or -1.
func firstMoved(before, after [][]float64) int {
	if len(before) != len(after) {
		return 0
	}
	for i := range before {
		for j := range before[i] {
			if math.Abs(before[i][j]-after[i][j]) > 0.5 {
				return i
			}
		}
	}
	return -1
}
