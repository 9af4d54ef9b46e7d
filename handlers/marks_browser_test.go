package handlers

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"margin/models"
)

// TestBrowserEveryCardLightsItsPhrase: with 20 notes on one phrase of
// passage 5, hovering or focusing any of their cards (the 13th and on
// too, once "more threads" has brought them) lights the phrase, and so does
// a reply (its thread's phrase); hovering the phrase lights every one of
// them, and a click on a phrase whose only
// note is beyond the margin's first threads leads to "more threads", then,
// once they are there, to its card.
func TestBrowserEveryCardLightsItsPhrase(t *testing.T) {
	ts := newTestServer(t)
	notes, _ := ts.notesOnOnePhrase(20, 5)
	lighter := ts.createUser("lighter", models.RoleReader)
	reply, err := models.CreateReply(ts.db, lighter, notes[1], models.AnnotationInput{Kind: models.KindComment, QuoteHint: -1,
		Visibility: models.VisibilityPublic, Body: "A reply, on its thread's phrase."}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	browserLogin(t, ctx, ts.URL, "lighter", passwordOf("lighter"))
	step(t, ctx, "laptop", chromedp.EmulateViewport(1366, 900))
	visit(t, ctx, fmt.Sprintf("%s/documents/%d", ts.URL, notes[0].DocumentID), http.StatusOK)
	lone := fmt.Sprintf(`Array.from(document.querySelectorAll('#p-5 mark.hl')).find(m => m.textContent === %q)`, notes[0].Exact)
	step(t, ctx, "open passage 5's notes", chromedp.Click(chromedp.CSS("#p-5 details.notes > summary")))
	read(t, ctx, "click the phrase only the oldest note quotes", chromedp.Evaluate[bool](lone+`.click() || true`))
	if ok := read(t, ctx, "focus on more threads", chromedp.Evaluate[bool](`document.activeElement.matches('#p-5 [data-more-notes]')`)); !ok {
		t.Error("a click on a phrase whose note is not in the margin did not lead to its passage's other threads")
	}
	step(t, ctx, "bring the other threads", chromedp.Click(chromedp.CSS("#p-5 [data-more-notes]")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#a-%d", notes[0].ID))))
	// [cards that light the shared phrase on hover, on focus, and leave it
	// unlit after; cards the phrase lights on hover]
	got := read(t, ctx, "hover and focus every card", chromedp.Evaluate[[]int](fmt.Sprintf(`(() => {
		const shared = Array.from(document.querySelectorAll('#p-5 mark.hl')).find(m => m.textContent === %q);
		const cards = Array.from(document.querySelectorAll('#p-5 .notes__body > article.note')).filter(c => c.textContent.includes('Phrase note'));
		let hovered = 0, focused = 0, after = 0;
		for (const c of cards) {
			c.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
			if (shared.classList.contains('hl--lit')) hovered++;
			c.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));
			c.querySelector('.note__author').focus();
			if (shared.classList.contains('hl--lit')) focused++;
			document.activeElement.blur();
			if (!shared.classList.contains('hl--lit')) after++;
		}
		shared.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
		const lit = cards.filter(c => c.classList.contains('note--lit')).length;
		shared.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));
		return [cards.length, hovered, focused, after, lit];
	})()`, notes[1].Exact)))
	if fmt.Sprint(got) != "[20 20 20 20 20]" {
		t.Errorf("of [cards, lighting the phrase on hover, on focus, unlit after, lit by the phrase]: %v", got)
	}
	replyLights := read(t, ctx, "hover the reply", chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const shared = Array.from(document.querySelectorAll('#p-5 mark.hl')).find(m => m.textContent === %q);
		document.getElementById('a-%d').querySelector('.note__body').dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
		return shared.classList.contains('hl--lit'); })()`, notes[1].Exact, reply.ID)))
	if !replyLights {
		t.Error("hovering a reply did not light its thread's phrase")
	}
	read(t, ctx, "click the lone phrase again", chromedp.Evaluate[bool](lone+`.click() || true`))
	if id := read(t, ctx, "focus on its card", chromedp.Evaluate[string](`document.activeElement.id`)); id != fmt.Sprintf("a-%d", notes[0].ID) {
		t.Errorf("a click on the phrase of the oldest note focused %q", id)
	}
}
