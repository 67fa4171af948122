/* Search page helpers. The page works without this file; it only smooths the htmx updates.
   No inline script anywhere: the Content-Security-Policy allows scripts from this site only. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var wide = window.matchMedia("(min-width: 60rem)");
  var openDisclosures = [];
  var focusedId = null;
  var filtersScroll = 0;
  var pageScroll = 0;
  var showResults = false;

  function filters() {
    return document.getElementById("filters");
  }

  // Wide screens have room for the filters beside the results; phones start with them folded.
  function openFiltersIfWide() {
    var panel = filters();
    if (panel && wide.matches) {
      panel.open = true;
    }
  }

  function isResultsSwap(event) {
    var target = event.detail && event.detail.target;
    return target && target.id === "results";
  }

  // "Show results" at the end of the filters: fold them away and move to the results.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-show-results]");
    if (button) {
      showResults = true;
    }
  });

  // A swap re-renders the filters; keep open what the person had open, and keep their place.
  // (htmx restores focus by id itself, but only into visible elements: the re-rendered
  // disclosures arrive closed, so focus is put back here once they are open again.)
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!isResultsSwap(event)) {
      return;
    }
    openDisclosures = Array.prototype.map.call(
      document.querySelectorAll("#results details[open][id]"),
      function (details) { return details.id; }
    );
    var active = document.activeElement;
    focusedId = active && active.id && active.closest("#results") ? active.id : null;
    // On wide screens the filters scroll on their own; the swap would put them back at the top.
    var column = document.querySelector("#results .filters-col");
    filtersScroll = column ? column.scrollTop : 0;
    pageScroll = window.scrollY;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!isResultsSwap(event)) {
      return;
    }
    openDisclosures.forEach(function (id) {
      var details = document.getElementById(id);
      if (details) {
        details.open = true;
      }
    });
    var column = document.querySelector("#results .filters-col");
    if (column && filtersScroll) {
      column.scrollTop = filtersScroll;
    }
    // ...and the page where it was, but never below the top of the results: beside them the
    // filters stick to the top of the window, so this moves the results into view and leaves
    // the box just ticked where it was. (Focusing a box low in the column scrolls the page too.)
    if (!showResults) {
      var top = pageScroll;
      var results = document.querySelector("#results .results-col");
      if (wide.matches && results) {
        top = Math.min(top, results.getBoundingClientRect().top + window.scrollY);
      }
      window.scrollTo({ top: top, left: window.scrollX, behavior: "instant" });
    }
    var focused = focusedId && document.getElementById(focusedId);
    if (focused && document.activeElement !== focused && !showResults) {
      // The option may have moved, e.g. into a "More" list: open what holds it.
      for (var d = focused.closest("details"); d; d = d.parentElement.closest("details")) {
        d.open = true;
      }
      focused.focus({ preventScroll: true });
    }
    if (showResults) {
      showResults = false;
      var panel = filters();
      if (panel && !wide.matches) {
        panel.open = false;
      }
      var count = document.getElementById("result-count");
      var heading = document.getElementById("results-heading");
      if (count) {
        count.scrollIntoView({ block: "start" });
      }
      if (heading) {
        heading.focus({ preventScroll: true });
      }
    }
  });

  openFiltersIfWide();
})();
