// Margin's small enhancements. Every page works without this file.
(function () {
  "use strict";
  // Move focus to a passage reached by its #p-N link, so keyboard users land there.
  function focusHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!/^p-\d+$/.test(id)) return;
    var el = document.getElementById(id);
    if (!el) return;
    el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: false });
  }
  window.addEventListener("hashchange", focusHash);
  document.addEventListener("DOMContentLoaded", focusHash);
})();
