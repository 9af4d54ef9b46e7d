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
    if (details) details.open = true;
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: false });
  }
  window.addEventListener("hashchange", focusHash);
  document.addEventListener("DOMContentLoaded", focusHash);

  // Times are written in UTC so cached pages stay true; show them in local time.
  document.addEventListener("DOMContentLoaded", function () {
    var fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    document.querySelectorAll("time[datetime]").forEach(function (t) {
      if (!/T/.test(t.getAttribute("datetime")) || !/UTC$/.test(t.textContent)) return;
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d)) t.textContent = fmt.format(d);
    });
  });

  // Ask before destructive forms.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
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

  // Select text in a passage, with the mouse or the keyboard, to annotate it.
  document.addEventListener("DOMContentLoaded", function () {
    var pop = document.getElementById("composer");
    var button = document.getElementById("selection-button");
    if (!pop || !button) return;
    var form = pop.querySelector("form");
    var pending = null;

    function codePoints(s) { return Array.from(s).length; }

    function currentSelection() {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
      var range = sel.getRangeAt(0);
      var text = range.commonAncestorContainer;
      var el = text.nodeType === 1 ? text : text.parentElement;
      var ptext = el && el.closest(".ptext");
      if (!ptext) return null;
      var section = ptext.closest("[data-passage]");
      var quote = sel.toString().replace(/\s+/g, " ").trim();
      if (!quote || !section) return null;
      var before = document.createRange();
      before.selectNodeContents(ptext);
      before.setEnd(range.startContainer, range.startOffset);
      var offset = codePoints(before.toString());
      return {
        passage: section.getAttribute("data-passage"),
        start: parseInt(section.getAttribute("data-start"), 10) + offset,
        quote: quote,
        rect: range.getBoundingClientRect(),
        section: section
      };
    }

    function showButton() {
      pending = currentSelection();
      if (!pending) { button.hidden = true; return; }
      button.style.top = (window.scrollY + pending.rect.bottom + 6) + "px";
      button.style.left = (window.scrollX + Math.max(8, pending.rect.left)) + "px";
      button.hidden = false;
    }
    document.addEventListener("mouseup", function () { setTimeout(showButton, 0); });
    document.addEventListener("keyup", function (e) {
      if (e.shiftKey || e.key === "Shift") setTimeout(showButton, 0);
      if (e.key === "Escape") { button.hidden = true; }
    });

    function open(sel) {
      form.elements.passage.value = sel.passage;
      form.elements.start.value = sel.start;
      form.elements.quote.value = sel.quote;
      pop.querySelector("[data-composer-passage]").textContent = sel.passage;
      var kind = form.querySelector('input[name="kind"]:checked') || form.querySelector('input[name="kind"][value="comment"]');
      if (kind) kind.checked = true;
      syncKind(form);
      sel.section.querySelector(".passage__notes, .passage__text").appendChild(pop);
      pop.hidden = false;
      button.hidden = true;
      (form.querySelector('input[name="kind"]:checked') || form.elements.body).focus();
    }
    button.addEventListener("mousedown", function (e) { e.preventDefault(); });
    button.addEventListener("click", function () { if (pending) open(pending); });
    // Keyboard: after selecting with Shift+arrows, press Enter or "a" to annotate.
    document.addEventListener("keydown", function (e) {
      if (button.hidden || !pending) return;
      if (e.key === "Enter" || (e.key === "a" && !e.ctrlKey && !e.metaKey && !e.altKey)) {
        if (document.activeElement && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName)) return;
        e.preventDefault();
        open(pending);
      }
    });
    pop.querySelector("[data-composer-close]").addEventListener("click", function () {
      pop.hidden = true;
    });
    pop.addEventListener("keydown", function (e) { if (e.key === "Escape") pop.hidden = true; });
  });
})();
