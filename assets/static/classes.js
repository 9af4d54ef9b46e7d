// Classes and assignments: small enhancements; every page works without them.
(function () {
  "use strict";
  // A new assignment's dates default to the educator's own time zone.
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select[data-zone-auto]");
    if (!select || !window.Intl) return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone) return;
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
    if (!known) select.insertBefore(new Option(zone, zone), select.options[1] || null);
    select.value = zone;
  });
})();
