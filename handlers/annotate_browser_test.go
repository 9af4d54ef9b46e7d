package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"margin/models"
)

// TestBrowserAnnotateSelection selects a phrase with the mouse, writes a
// disagreement in the composer that opens, and checks the highlight and the
// contested mark; axe-core then checks the annotated page.
func TestBrowserAnnotateSelection(t *testing.T) {
	ts := newTestServer(t)
	ts.createUser("marginalia", models.RoleReader)
	doc := ts.articleID()
	ctx := newBrowser(t)
	browserLogin(t, ctx, ts.URL, "marginalia", passwordOf("marginalia"))
	visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, doc), http.StatusOK)

	const phrase = "Manfred Woerner"
	box := read(t, ctx, "find the phrase on screen", chromedp.Evaluate[[]float64](`(() => {
		const p = document.querySelector('#p-1 .ptext');
		p.scrollIntoView({block: 'center'});
		const node = p.firstChild, i = node.textContent.indexOf('`+phrase+`');
		const r = document.createRange();
		r.setStart(node, i); r.setEnd(node, i + `+fmt.Sprint(len(phrase))+`);
		const rects = r.getClientRects(), a = rects[0], b = rects[rects.length - 1];
		return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
	})()`))
	once := func(p *input.DispatchMouseEventParams) { p.ClickCount = 1 }
	held := func(p *input.DispatchMouseEventParams) { p.Buttons = 1 } // the left button stays down
	step(t, ctx, "press the mouse at the phrase's start",
		chromedp.MouseEvent(chromedp.MousePressed, box[0], box[1], chromedp.ButtonLeft, once))
	for i := 1; i <= 5; i++ {
		f := float64(i) / 5
		step(t, ctx, "drag", chromedp.MouseEvent(chromedp.MouseMoved, box[0]+(box[2]-box[0])*f, box[1]+(box[3]-box[1])*f, chromedp.ButtonLeft, held))
	}
	step(t, ctx, "release at its end", chromedp.MouseEvent(chromedp.MouseReleased, box[2], box[3], chromedp.ButtonLeft, once))
	if sel := read(t, ctx, "read the selection", chromedp.Evaluate[string](`window.getSelection().toString()`)); strings.TrimSpace(sel) != phrase {
		t.Fatalf("the mouse selected %q", sel)
	}
	step(t, ctx, "press Annotate selection", chromedp.WaitVisible(chromedp.CSS("#selection-button")), chromedp.Click(chromedp.CSS("#selection-button")))
	step(t, ctx, "the composer opens", chromedp.WaitVisible(chromedp.CSS("#composer")))
	if q := read(t, ctx, "read the quote", chromedp.Value(chromedp.CSS("#f-quote-inline"))); q != phrase {
		t.Fatalf("the composer's quote is %q", q)
	}
	step(t, ctx, "choose disagreement", chromedp.Click(chromedp.CSS(`#composer input[name=kind][value=disagreement]`)))
	step(t, ctx, "the counterpoint field shows", chromedp.WaitVisible(chromedp.CSS("#f-counterpoint-inline")))
	typeInto(t, ctx, "#f-counterpoint-inline", "Woerner was cautious, not warm.")
	typeInto(t, ctx, "#f-body-inline", "The transcripts show *reservations* on both sides.")
	// The composer sends the form itself (its errors stay in place) and then
	// loads the page at the new note.
	step(t, ctx, "post the disagreement", chromedp.Click(chromedp.CSS(`#composer button[type=submit]`)))
	waitForPage(t, ctx, "the new note at its address", `/^#a-\d+$/.test(location.hash) && !!document.querySelector('#p-1 article.note')`)

	if got := read(t, ctx, "read the highlight", chromedp.Text(chromedp.CSS("#p-1 mark.hl"))); got != phrase {
		t.Errorf("highlight reads %q, want %q", got, phrase)
	}
	notes := read(t, ctx, "read passage 1", chromedp.Text(chromedp.CSS("#p-1 .passage__notes")))
	if strings.Contains(notes, "Contested") || !strings.Contains(notes, "Woerner was cautious, not warm.") {
		t.Errorf("passage 1's notes read %q: want the disagreement, and one disagreement is not yet a dispute", notes)
	}
	if n := read(t, ctx, "count contested passages", chromedp.Evaluate[int](`document.querySelectorAll('.passage--contested').length`)); n != 0 {
		t.Errorf("%d passages marked contested, want none", n)
	}
	// A selection can start on a highlight: drag from inside it onwards.
	mark := read(t, ctx, "find the highlight on screen", chromedp.Evaluate[[]float64](`(() => {
		const m = document.querySelector('#p-1 mark.hl'); m.scrollIntoView({block: 'center'});
		const r = m.getBoundingClientRect(); return [r.left + 2, r.top + r.height / 2, r.right + 60, r.top + r.height / 2];
	})()`))
	step(t, ctx, "press the mouse on the highlight", chromedp.MouseEvent(chromedp.MousePressed, mark[0], mark[1], chromedp.ButtonLeft, once))
	for i := 1; i <= 5; i++ {
		f := float64(i) / 5
		step(t, ctx, "drag on", chromedp.MouseEvent(chromedp.MouseMoved, mark[0]+(mark[2]-mark[0])*f, mark[1], chromedp.ButtonLeft, held))
	}
	step(t, ctx, "release past it", chromedp.MouseEvent(chromedp.MouseReleased, mark[2], mark[3], chromedp.ButtonLeft, once))
	if sel := read(t, ctx, "read the selection from the highlight", chromedp.Evaluate[string](`window.getSelection().toString()`)); !strings.HasPrefix(sel, "anfred Woerner") && !strings.HasPrefix(sel, "Manfred Woerner") && !strings.HasPrefix(sel, "nfred Woerner") {
		t.Errorf("a drag starting on the highlight selected %q", sel)
	}
	step(t, ctx, "the Annotate button offers it", chromedp.WaitVisible(chromedp.CSS("#selection-button")))
	read(t, ctx, "clear the selection", chromedp.Evaluate[bool](`(getSelection().removeAllRanges(), true)`))

	// A click on the highlight opens its note.
	step(t, ctx, "follow the highlight", chromedp.Click(chromedp.CSS("#p-1 mark.hl")))
	if open := read(t, ctx, "is the note shown", chromedp.Evaluate[bool](`document.querySelector('#p-1 details.notes').open`)); !open {
		t.Error("following the highlight left the note folded away")
	}
	runAxe(t, ctx, "document with a disagreement")

	// The permalink shows the passage in context and the thread.
	id := read(t, ctx, "read the note's id", chromedp.Evaluate[string](`document.querySelector('#p-1 article.note').id.slice(2)`))
	visit(t, ctx, ts.URL+"/annotations/"+id, http.StatusOK)
	if got := read(t, ctx, "read the permalink's highlight", chromedp.Text(chromedp.CSS(".context__passage--focus mark.hl"))); got != phrase {
		t.Errorf("permalink highlight reads %q", got)
	}
	runAxe(t, ctx, "annotation permalink")

	visit(t, ctx, ts.URL+"/search?q=woerner", http.StatusOK)
	if hits := read(t, ctx, "count search results", chromedp.Evaluate[int](`document.querySelectorAll('.search-hits li').length`)); hits < 2 {
		t.Errorf("search found %d results, want the passage and the note", hits)
	}
	runAxe(t, ctx, "search results")
}

// waitForPage waits until cond holds on a page that the script, not a click,
// loads: polling through the navigation, which interrupts a single poll.
func waitForPage(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(browserStepTimeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && (`+cond+`)`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
