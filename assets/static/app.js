// Margin's small enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Move focus to a passage or note reached by its link, so keyboard users land there.
  function focusHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!/^(p|a)-\d+$/.test(id)) return;
    var el = document.getElementById(id);
    if (!el) return;
    var details = el.closest("details");
    if (details) openNotes(details);
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
    if (id.charAt(0) === "a") showPhraseOf(el);
  }
  // showPhraseOf scrolls the window, if it must and can, so that the note's
  // phrase shows with the note's head: beside the text the card may be far
  // below the words it is about, and on a phone a sheet covers the window's
  // foot (the card is in it, where the window's scroll does not move it).
  function showPhraseOf(note) {
    var mark = marksOf(note)[0];
    if (!mark) return;
    var sheet = sheetOf(note);
    if (sheet) { keepAbove(mark.getBoundingClientRect(), sheet); return; }
    var m = mark.getBoundingClientRect(), head = (note.querySelector(".note__head") || note).getBoundingClientRect();
    if (m.top >= 0 && m.bottom <= innerHeight) return;
    var delta = m.top - 16;
    if (head.top - delta >= 0 && head.bottom - delta <= innerHeight) window.scrollBy(0, delta);
  }
  // keepAbove scrolls the window, if it must, so that rect (a phrase, in
  // the window's coordinates) shows above sheet, a panel over its foot.
  function keepAbove(rect, sheet) {
    var room = sheet.getBoundingClientRect().top;
    if (rect.top >= 8 && rect.bottom <= room - 8) return;
    window.scrollBy(0, rect.top - Math.max(8, (room - rect.height) / 3));
  }

  // Below the margin's breakpoint a passage's open notes are a sheet over
  // the foot of the window (style.css says when: the notes' body is then
  // fixed), so the text stays where it was: one sheet at a time, a dialog
  // named by its heading, the focus moved into it when the reader opens it
  // and back to the passage's summary on Close or Escape.
  function sheetBody(details) { return details.querySelector(":scope > .notes__body"); }
  function isSheet(details) {
    var body = sheetBody(details);
    return !!body && getComputedStyle(body).position === "fixed";
  }
  // sheetOf is the open sheet el is in, or null.
  function sheetOf(el) {
    var details = el.closest(".passage__notes > details.notes[open]");
    return details && isSheet(details) ? sheetBody(details) : null;
  }
  function markSheet(details) {
    var body = sheetBody(details), title = body && body.querySelector(".notes__sheet-title");
    if (!body) return;
    if (details.open && isSheet(details)) {
      body.setAttribute("role", "dialog");
      body.setAttribute("tabindex", "-1");
      if (title) body.setAttribute("aria-labelledby", title.id);
    } else {
      ["role", "tabindex", "aria-labelledby"].forEach(function (a) { body.removeAttribute(a); });
    }
  }
  function closeOtherSheets(keep) {
    document.querySelectorAll(".passage__notes > details.notes[open]").forEach(function (d) {
      if (d !== keep && isSheet(d)) { d.open = false; markSheet(d); }
    });
  }
  // openNotes opens a passage's notes, as a sheet where they are one.
  function openNotes(details) {
    details.open = true;
    if (!isSheet(details)) return;
    closeOtherSheets(details);
    markSheet(details);
  }
  function closeSheet(details) {
    details.open = false;
    markSheet(details);
    var summary = details.querySelector(":scope > summary");
    if (summary) summary.focus();
  }
  document.addEventListener("click", function (e) {
    var summary = e.target.closest && e.target.closest(".passage__notes > details.notes > summary");
    if (summary && !summary.parentElement.open && isSheet(summary.parentElement)) {
      e.preventDefault();
      openNotes(summary.parentElement);
      var sheet = sheetBody(summary.parentElement);
      sheet.focus({ preventScroll: true });
      // A sheet over its own passage would hide the words its notes are
      // on: the window scrolls (the text does not move in the page) so
      // that the passage ends just above it.
      var room = sheet.getBoundingClientRect().top, r = summary.getBoundingClientRect();
      if (r.bottom > room - 8) window.scrollBy(0, r.bottom - room + 8);
      return;
    }
    var close = e.target.closest && e.target.closest("[data-notes-close]");
    var details = close && close.closest("details.notes");
    if (details) closeSheet(details);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || e.defaultPrevented) return; // an inner form's Escape closed it
    var open = Array.prototype.filter.call(document.querySelectorAll(".passage__notes > details.notes[open]"), isSheet)[0];
    if (!open) return;
    e.preventDefault();
    closeSheet(open);
  });
  // Tabbing on past the sheet closes it, which would cover where the focus
  // went (the passage's own summary aside: a tap on it closes the sheet).
  document.addEventListener("focusout", function (e) {
    var sheet = sheetOf(e.target), to = e.relatedTarget;
    if (!sheet || !to || sheet.contains(to)) return;
    var details = sheet.parentElement;
    if (to !== details.querySelector(":scope > summary")) { details.open = false; markSheet(details); }
  });
  // Notes opened otherwise (a summary the server rendered open, a passage
  // brought up to date) keep the rule of one sheet, a dialog; the focus
  // stays where it is.
  document.addEventListener("toggle", function (e) {
    var details = e.target;
    if (!details.matches || !details.matches(".passage__notes > details.notes")) return;
    if (details.open && isSheet(details)) closeOtherSheets(details);
    markSheet(details);
  }, true);
  window.addEventListener("hashchange", focusHash);
  // Under a filter the server opens every passage's notes, for readers
  // without this script; beside the text, where each passage's open notes
  // float over the margin below, they would cover one another, and on a
  // phone a sheet would cover the text, so here they start folded (the
  // counts say what each holds).
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector(".document--passage")) return;
    document.querySelectorAll(".passage > .passage__notes > details.notes[open]").forEach(function (d) {
      var body = d.querySelector(".notes__body");
      if (body && /absolute|fixed/.test(getComputedStyle(body).position)) d.open = false;
    });
  });
  document.addEventListener("DOMContentLoaded", focusHash);
  // The browser's own jump to the #fragment may come after: set it right.
  window.addEventListener("load", function () {
    var id = decodeURIComponent(location.hash.slice(1)), el = /^a-\d+$/.test(id) && document.getElementById(id);
    if (el) setTimeout(function () { showPhraseOf(el); }, 0);
  });

  // Times are written in UTC so cached pages stay true; show them in local
  // time, on the page and in the parts brought in later.
  function localTimes(root) {
    var fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      if (!/T/.test(t.getAttribute("datetime")) || !/UTC$/.test(t.textContent)) return;
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d)) t.textContent = fmt.format(d);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { localTimes(document); });

  // Ask before destructive forms.
  document.addEventListener("submit", function (e) {
    var form = e.target, msg = form.getAttribute("data-confirm");
    if (!msg) return;
    if (!window.confirm(msg)) { e.preventDefault(); return; }
    // Asked here: the server need not ask again (without a script it does).
    if (!form.querySelector('input[name="confirm"]')) {
      var yes = document.createElement("input");
      yes.type = "hidden"; yes.name = "confirm"; yes.value = "yes";
      form.appendChild(yes);
    }
  });

  // Show the counterpoint and citation fields only for the kinds that use them.
  function syncKind(form) {
    var checked = form.querySelector('input[name="kind"]:checked');
    var kind = checked ? checked.value : "";
    form.querySelectorAll("[data-kind-only]").forEach(function (el) {
      var wanted = el.getAttribute("data-kind-only") === kind;
      var hasValue = Array.prototype.some.call(el.querySelectorAll("input"), function (i) { return i.value; });
      var hasError = el.classList.contains("field--invalid");
      el.hidden = !(wanted || hasValue || hasError);
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.name === "kind" && e.target.form) syncKind(e.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (f) {
      if (f.querySelector('input[name="kind"]')) syncKind(f);
    });
  });

  // A highlight opens its passage's notes and brings its first note into
  // view; a note and its phrase light each other up on hover and focus.
  // A card of a note on a phrase and the highlights of that phrase name the
  // same range of the passage (data-range, "start-end"): each highlight
  // lies whole inside the range of every note whose quote holds it, however
  // many they are. A reply's phrase is its thread's.
  function rangeOf(el) {
    var r = /^(\d+)-(\d+)$/.exec(el.getAttribute("data-range") || "");
    return r && [+r[1], +r[2]];
  }
  function holds(outer, inner) { return !!outer && !!inner && outer[0] <= inner[0] && inner[1] <= outer[1]; }
  function marksOf(note) {
    var card = note.closest("article.note[data-range]"), section = card && card.closest("[data-passage]");
    if (!section) return [];
    var r = rangeOf(card);
    return Array.prototype.filter.call(section.querySelectorAll(".passage__text mark.hl[data-range]"), function (m) { return holds(r, rangeOf(m)); });
  }
  function cardsOf(mark) {
    var section = mark.closest("[data-passage]"), r = rangeOf(mark);
    if (!section) return [];
    return Array.prototype.filter.call(section.querySelectorAll(".passage__notes article.note[data-range]"), function (n) { return holds(rangeOf(n), r); });
  }
  document.addEventListener("click", function (e) {
    var mark = e.target.closest && e.target.closest("mark.hl[data-range]");
    if (!mark) return;
    var sel = window.getSelection();
    if (sel && !sel.isCollapsed) return; // a selection that starts on a highlight is for annotating
    var section = mark.closest("[data-passage]");
    var details = section && section.querySelector("details.notes");
    if (details) openNotes(details);
    // A phrase whose notes are all beyond the margin's first threads leads
    // to the rest of them.
    var target = cardsOf(mark)[0] || (section && section.querySelector("[data-more-notes]"));
    if (!target) return;
    if (target.tagName !== "A" && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "nearest" });
    var sheet = sheetOf(target);
    if (sheet) keepAbove(mark.getBoundingClientRect(), sheet);
  });
  // "N more threads" brings the rest of the passage's threads into the
  // margin from the passage's own page; without JavaScript it is a link there.
  document.addEventListener("click", function (e) {
    var more = e.target.closest && e.target.closest("a[data-more-notes]");
    if (!more || !window.fetch || e.ctrlKey || e.metaKey || e.shiftKey) return;
    var section = more.closest("[data-passage]");
    var body = section && section.querySelector(".notes__body");
    if (!body) return;
    e.preventDefault();
    fetch(more.href, { credentials: "same-origin" }).then(function (res) {
      if (!res.ok) throw new Error(res.status);
      return res.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var all = doc.querySelector('#p-' + section.getAttribute("data-passage") + " .notes__body");
      if (!all) throw new Error("no notes");
      body.innerHTML = all.innerHTML;
      localTimes(body);
      var notes = body.querySelectorAll(":scope > article.note");
      var next = notes[Math.min(notes.length - 1, 3)];
      if (next) { next.setAttribute("tabindex", "-1"); next.focus({ preventScroll: true }); next.scrollIntoView({ block: "nearest" }); }
    }).catch(function () { location.href = more.href; });
  });
  function light(note, on) {
    marksOf(note).forEach(function (m) { m.classList.toggle("hl--lit", on); });
  }
  function lightMark(mark, on) {
    cardsOf(mark).forEach(function (n) { n.classList.toggle("note--lit", on); });
  }
  ["mouseover", "focusin"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var note = e.target.closest && e.target.closest("article.note[data-range]");
      if (note) light(note, true);
      var mark = e.target.closest && e.target.closest("mark.hl[data-range]");
      if (mark) lightMark(mark, true);
    });
  });
  ["mouseout", "focusout"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var note = e.target.closest && e.target.closest("article.note[data-range]");
      if (note) light(note, false);
      var mark = e.target.closest && e.target.closest("mark.hl[data-range]");
      if (mark) lightMark(mark, false);
    });
  });

  // refreshPassage brings a passage's text and notes up to date in place,
  // from the passage's own page (every thread, under the same filter), and
  // focuses note id there: after a post, a reply or an edit the text stays
  // where it was, and a note beyond the margin's first threads shows too.
  // The server's message (a note held for review...) shows in the margin.
  // It rejects when the note is not there to show (a filter leaves it out).
  function refreshPassage(section, id) {
    // A student's assignment bar counts their notes, and a first post may
    // show their classmates' notes everywhere: the whole page is reloaded.
    if (document.querySelector(".assignment-bar")) return Promise.reject(new Error("assignment"));
    var article = section.closest("[data-document]");
    var url = "/documents/" + article.getAttribute("data-document") + "/passages/" + section.getAttribute("data-passage") + location.search;
    return fetch(url, { credentials: "same-origin" }).then(function (res) {
      if (!res.ok) throw new Error(res.status);
      return res.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById(section.id);
      if (!fresh || !fresh.querySelector("#a-" + id)) throw new Error("not shown");
      ["passage__text", "passage__notes"].forEach(function (part) {
        var mine = section.querySelector(":scope > ." + part), theirs = fresh.querySelector(":scope > ." + part);
        if (mine && theirs) mine.innerHTML = theirs.innerHTML;
      });
      localTimes(section);
      section.classList.toggle("passage--contested", fresh.classList.contains("passage--contested"));
      var flash = doc.querySelector("main > .flash");
      var notes = section.querySelector(".passage__notes");
      if (flash && notes) {
        var said = document.createElement("p");
        said.className = "flash flash--margin";
        said.setAttribute("role", "status");
        said.textContent = flash.textContent;
        // On a phone it says so in the sheet, where it moves no text.
        var open = notes.querySelector(":scope > details.notes[open]");
        var head = open && isSheet(open) && sheetBody(open).querySelector(".notes__sheet-head");
        if (head) head.insertAdjacentElement("afterend", said);
        else notes.insertBefore(said, notes.firstChild);
      }
      history.replaceState(null, "", location.pathname + location.search + "#a-" + id);
      focusHash();
    });
  }

  // Select text in a passage, with the mouse, the keyboard or a finger, to annotate it.
  document.addEventListener("DOMContentLoaded", function () {
    var pop = document.getElementById("composer");
    var button = document.getElementById("selection-button");
    if (!pop || !button) return;
    var form = pop.querySelector("form");
    var pending = null;
    var returnTo = null;

    function codePoints(s) { return Array.from(s).length; }

    function ptextOf(node) {
      var el = node && (node.nodeType === 1 ? node : node.parentElement);
      return el && el.closest(".ptext");
    }

    // The selection within one passage's text. One that runs on into the
    // next passage is cut at the end of the passage it starts in: a note
    // belongs to one passage (annotate the next one with a second note).
    function currentSelection() {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
      var range = sel.getRangeAt(0).cloneRange();
      var ptext = ptextOf(range.startContainer);
      if (!ptext) return null;
      var clamped = false;
      if (ptextOf(range.endContainer) !== ptext) {
        range.setEnd(ptext, ptext.childNodes.length);
        clamped = true;
      }
      var section = ptext.closest("[data-passage]");
      var quote = range.toString().replace(/\s+/g, " ").trim();
      if (!quote || !section) return null;
      var before = document.createRange();
      before.selectNodeContents(ptext);
      before.setEnd(range.startContainer, range.startOffset);
      var offset = codePoints(before.toString());
      return {
        passage: section.getAttribute("data-passage"),
        start: parseInt(section.getAttribute("data-start"), 10) + offset,
        quote: quote,
        clamped: clamped,
        range: range,
        rect: range.getBoundingClientRect(),
        section: section
      };
    }

    var label = button.textContent;
    function showButton() {
      if (!pop.hidden) { button.hidden = true; return; }
      pending = currentSelection();
      if (!pending) { button.hidden = true; return; }
      button.textContent = pending.clamped ? label + " (to the end of passage " + pending.passage + ")" : label;
      button.style.top = (window.scrollY + pending.rect.bottom + 6) + "px";
      button.style.left = (window.scrollX + Math.max(8, Math.min(pending.rect.left, window.innerWidth - 260))) + "px";
      button.hidden = false;
    }
    var timer = 0;
    function soon() { clearTimeout(timer); timer = setTimeout(showButton, 60); }
    // selectionchange covers touch and keyboard selection; pointerup and
    // keyup answer at once when the selection is made.
    document.addEventListener("selectionchange", soon);
    document.addEventListener("pointerup", soon);
    document.addEventListener("mouseup", soon);
    document.addEventListener("keyup", function (e) {
      if (e.shiftKey || e.key === "Shift") soon();
      if (e.key === "Escape") { button.hidden = true; }
    });

    function open(sel) {
      returnTo = document.activeElement && document.activeElement !== document.body ? document.activeElement : sel.section;
      form.elements.passage.value = sel.passage;
      form.elements.start.value = sel.start;
      form.elements.quote.value = sel.quote;
      pop.querySelectorAll("[data-composer-passage]").forEach(function (el) { el.textContent = sel.passage; });
      var note = pop.querySelector("[data-composer-note]");
      if (note) note.hidden = !sel.clamped;
      clearErrors();
      var kind = form.querySelector('input[name="kind"]:checked') || form.querySelector('input[name="kind"][value="comment"]');
      if (kind) kind.checked = true;
      syncKind(form);
      closeOtherSheets(null); // on a phone the composer is the one sheet
      (sel.section.querySelector(".passage__notes") || sel.section.querySelector(".passage__text")).appendChild(pop);
      pop.hidden = false;
      button.hidden = true;
      // The phrase stays marked while the reader writes, though the focus
      // (and so the selection) moves to the form.
      if (window.CSS && CSS.highlights && window.Highlight) CSS.highlights.set("margin-pending", new Highlight(sel.range));
      (form.querySelector('input[name="kind"]:checked') || form.elements.body).focus({ preventScroll: true });
      fitComposer(sel.rect);
    }
    // Beside the text, the composer scrolls in its own box, which must end
    // inside the window so that Post (sticky at its foot) is always in view.
    // On a phone it is a sheet over the window's foot, with the phrase kept
    // in view above it.
    function fitComposer(phrase) {
      pop.style.maxHeight = "";
      var position = getComputedStyle(pop).position;
      if (position === "fixed") { if (phrase) keepAbove(phrase, pop); return; }
      if (position !== "absolute") { pop.scrollIntoView({ block: "nearest" }); return; }
      var want = Math.min(pop.scrollHeight, 420);
      var room = window.innerHeight - pop.getBoundingClientRect().top - 12;
      if (room < want) { window.scrollBy(0, want - room); room = want; }
      pop.style.maxHeight = Math.max(room, 160) + "px";
    }
    form.addEventListener("change", function (e) { if (e.target.name === "kind" && !pop.hidden) fitComposer(); });
    function close() {
      pop.hidden = true;
      if (window.CSS && CSS.highlights) CSS.highlights.delete("margin-pending");
      var to = returnTo;
      returnTo = null;
      if (to && document.contains(to)) {
        if (!to.matches("a, button, input, textarea, select, [tabindex]")) to.setAttribute("tabindex", "-1");
        to.focus();
      }
    }
    button.addEventListener("mousedown", function (e) { e.preventDefault(); });
    // The selection is read again when the reader acts: the button may have
    // shown for an earlier state of a drag, before the last selectionchange
    // was handled (mousedown on it keeps the selection as it is).
    function now() { return currentSelection() || pending; }
    button.addEventListener("click", function () { var sel = now(); if (sel) open(sel); });
    // Keyboard: after selecting with Shift+arrows, press Enter or "a" to annotate.
    document.addEventListener("keydown", function (e) {
      if (button.hidden || !pending) return;
      if (e.key === "Enter" || (e.key === "a" && !e.ctrlKey && !e.metaKey && !e.altKey)) {
        if (document.activeElement && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName)) return;
        e.preventDefault();
        open(now());
      }
    });
    pop.querySelector("[data-composer-close]").addEventListener("click", close);
    pop.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); close(); } });

    // Errors stay in the composer: the form is sent from here, and when the
    // answer is the form again (422) its messages are shown in place, the
    // reader's words kept.
    // go follows the answer; the same page with a new #fragment is loaded
    // again, since it now holds the new note.
    function go(to) {
      var u = new URL(to, location.href);
      var m = /^#a-(\d+)$/.exec(u.hash);
      var section = document.querySelector('[data-passage="' + form.elements.passage.value + '"]');
      if (m && section && u.pathname === location.pathname) {
        pop.hidden = true;
        if (window.CSS && CSS.highlights) CSS.highlights.delete("margin-pending");
        document.body.appendChild(pop); // out of the margin that is replaced
        refreshPassage(section, m[1]).catch(function () { follow(u); });
        return;
      }
      follow(u);
    }
    function follow(u) {
      if (u.pathname === location.pathname && u.search === location.search) {
        history.replaceState(null, "", u.hash || location.pathname + location.search);
        location.reload();
        return;
      }
      location.href = u.href;
    }
    function clearErrors() {
      pop.querySelectorAll("[data-inline-error]").forEach(function (el) { el.remove(); });
      pop.querySelectorAll(".field--invalid").forEach(function (el) { el.classList.remove("field--invalid"); });
    }
    form.addEventListener("submit", function (e) {
      if (!window.fetch || !window.FormData) return;
      e.preventDefault();
      var post = form.querySelector('button[type="submit"]');
      post.disabled = true;
      fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin",
        headers: { "X-Margin-Fetch": "1" } })
        .then(function (res) {
          var to = res.headers.get("X-Margin-Location");
          if (res.status === 204 && to) { go(to); return; }
          if (res.status !== 422) { go(res.url); return; }
          return res.text().then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            clearErrors();
            var errors = doc.querySelectorAll(".field-error");
            errors.forEach(function (err) {
              var field = err.closest(".field, fieldset");
              var name = field && field.querySelector("[name]");
              var mine = name && form.querySelector('[name="' + name.getAttribute("name") + '"]');
              var place = mine ? mine.closest(".field, fieldset") : form.querySelector(".composer__buttons");
              var p = document.createElement("p");
              p.className = "field-error";
              p.setAttribute("data-inline-error", "");
              p.setAttribute("role", "alert");
              p.textContent = err.textContent;
              place.classList.add("field--invalid");
              place.hidden = false;
              place.appendChild(p);
            });
            if (!errors.length) { location.href = res.url; return; }
            var first = pop.querySelector(".field--invalid input, .field--invalid textarea");
            if (first) first.focus();
          });
        })
        .catch(function () { form.submit(); })
        .finally(function () { post.disabled = false; });
    });
  });

  // Reply and Edit open their form inside the note's card in the reading
  // view: the very form of the note's page (or its edit page), fetched, so
  // the server stays its source. Errors come back into the card with the
  // words kept; once saved, the reading view reloads at the note. Without
  // this script the links lead to those pages.
  function openInline(note, link) {
    var open = document.querySelector("[data-inline-box]");
    if (open) open.remove();
    // The note's address answers JSON-LD to clients that do not ask for HTML.
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (res) {
      if (!res.ok) throw new Error(res.status);
      return res.text();
    }).then(function (html) {
      var form = inlineForm(html, link.getAttribute("data-inline"));
      if (!form) throw new Error("no form");
      var box = document.createElement("div");
      box.className = "inline-box";
      box.setAttribute("data-inline-box", "");
      var footer = note.querySelector(":scope > .note__actions");
      (footer || note).insertAdjacentElement(footer ? "afterend" : "beforeend", box);
      showInline(box, form, link);
    }).catch(function () { location.href = link.href; });
  }
  function inlineForm(html, which) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var form = doc.querySelector(which === "edit" ? 'main form[action$="/edit"]' : 'main form[action$="/replies"]');
    return form && document.importNode(form, true);
  }
  function showInline(box, form, link) {
    box.innerHTML = "";
    box.appendChild(form);
    form.querySelectorAll('a[href^="/annotations/"], a[href^="/documents/"]').forEach(function (a) {
      if (/cancel/i.test(a.textContent)) a.remove();
    });
    var submit = form.querySelector('button[type="submit"]');
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button button--secondary";
    cancel.textContent = "Cancel";
    submit.insertAdjacentElement("afterend", cancel);
    submit.insertAdjacentText("afterend", " ");
    function close() { box.remove(); link.focus(); }
    cancel.addEventListener("click", close);
    box.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); close(); } });
    syncKind(form);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      submit.disabled = true;
      fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin",
        headers: { "X-Margin-Fetch": "1" } })
        .then(function (res) {
          var to = res.headers.get("X-Margin-Location");
          if (res.status === 204 && to) { backAt(to, link.closest("[data-passage]")); return; }
          return res.text().then(function (html) {
            var again = inlineForm(html, link.getAttribute("data-inline"));
            if (res.status === 422 && again) {
              showInline(box, again, link);
              var first = box.querySelector('[aria-invalid="true"], .field--invalid textarea, .field--invalid input');
              if (first) first.focus();
              return;
            }
            // Refused (too fast, no longer open to replies...): say why, here.
            var doc = new DOMParser().parseFromString(html, "text/html");
            var why = doc.querySelector("main .alert, main p");
            var p = box.querySelector("[data-inline-error]") || document.createElement("p");
            p.className = "field-error";
            p.setAttribute("data-inline-error", "");
            p.setAttribute("role", "alert");
            p.textContent = why ? why.textContent.trim() : "This could not be saved (" + res.status + ").";
            form.appendChild(p);
          });
        })
        .catch(function () { form.submit(); })
        .finally(function () { submit.disabled = false; });
    });
    var body = form.querySelector("textarea[name=body]");
    if (body) body.focus();
  }
  // backAt shows the note the server names, in its passage brought up to
  // date, or else reloads the reading view at it.
  function backAt(to, section) {
    var m = /#a-(\d+)$/.exec(to) || /\/annotations\/(\d+)/.exec(to);
    var hash = m ? "#a-" + m[1] : location.hash;
    function reload() {
      history.replaceState(null, "", location.pathname + location.search + hash);
      location.reload();
    }
    if (m && section) refreshPassage(section, m[1]).catch(reload);
    else reload();
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("article.note a[data-inline]");
    if (!link || !link.closest("[data-passage]") || !window.fetch || !window.FormData) return;
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button) return;
    e.preventDefault();
    openInline(link.closest("article.note"), link);
  });

  // Re-attaching an orphaned note: words selected in the current text fill
  // in the form's passage and quote.
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("reattach-form");
    if (!form) return;
    document.addEventListener("selectionchange", function () {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
      var node = sel.getRangeAt(0).startContainer;
      var el = node.nodeType === 1 ? node : node.parentElement;
      var section = el && el.closest(".reattach-text [data-passage]");
      var quote = sel.toString().replace(/\s+/g, " ").trim();
      if (!section || !quote) return;
      form.elements.passage.value = section.getAttribute("data-passage");
      form.elements.quote.value = quote;
    });
  });
})();
