/* Find your match: "Leave this site" for someone who may be watched at home.
   The link works without this file (it is a plain link to a weather page). With it, the
   page is replaced in the history rather than added to it (Back does not return here),
   and Esc leaves too. No inline script anywhere: the Content-Security-Policy allows
   scripts from this site only. */
(function () {
  "use strict";

  function leave(link) {
    window.location.replace(link.href);
  }

  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[data-quick-exit]") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    leave(link);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var link = document.querySelector("a[data-quick-exit]");
    if (link) {
      leave(link);
    }
  });
})();
