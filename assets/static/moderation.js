// Keyboard shortcuts for the moderation queue: j/k move between notes,
// a/s/r/n approve, mark spam, reject or mark not spam (by pressing the
// note's own button, so every action stays a normal form POST with its
// CSRF token), x selects for bulk actions, o opens the note. Moving to a
// note claims it, so other moderators see it is being looked at. Without
// this script every button and link works the same, one click at a time.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-moderation]");
    if (!root) return;
    var items = Array.prototype.slice.call(root.querySelectorAll(".mod-item"));
    if (!items.length) return;
    var current = -1;
    var token = (root.querySelector('input[name="_csrf"]') || {}).value || "";

    function claim(item) {
      if (!window.fetch || !token) return;
      fetch("/moderation/items/" + item.getAttribute("data-item") + "/claim", {
        method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": token }
      }).catch(function () {});
    }

    function select(i) {
      if (i < 0 || i >= items.length) return;
      if (current >= 0) items[current].classList.remove("mod-item--current");
      current = i;
      var item = items[i];
      item.classList.add("mod-item--current");
      item.focus();
      item.scrollIntoView({ block: "nearest" });
      claim(item);
    }

    // The note the keys act on: the one moved to, or the one holding focus.
    function active() {
      var holder = document.activeElement && document.activeElement.closest && document.activeElement.closest(".mod-item");
      if (holder) return holder;
      return current >= 0 ? items[current] : null;
    }

    root.addEventListener("focusin", function (e) {
      var item = e.target.closest(".mod-item");
      var i = items.indexOf(item);
      if (i >= 0 && i !== current) {
        if (current >= 0) items[current].classList.remove("mod-item--current");
        current = i;
        item.classList.add("mod-item--current");
      }
    });

    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      var t = e.target;
      if (t && (/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) && t.type !== "checkbox" || t.isContentEditable)) return;
      var key = e.key;
      if (key === "j" || key === "k") {
        e.preventDefault();
        select(current < 0 ? 0 : current + (key === "j" ? 1 : -1));
        return;
      }
      var item = active();
      if (!item) return;
      if (key === "x") {
        var box = item.querySelector(".mod-item__select");
        if (box) { e.preventDefault(); box.checked = !box.checked; }
        return;
      }
      if (key === "o") {
        var open = item.querySelector("[data-open]");
        if (open) { e.preventDefault(); open.click(); }
        return;
      }
      var button = item.querySelector('button[data-key="' + key + '"]');
      if (button) {
        e.preventDefault();
        button.form.requestSubmit ? button.form.requestSubmit(button) : button.click();
      }
    });
  });
})();
