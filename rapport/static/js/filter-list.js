// Filter a long list as you type. Without JavaScript the whole list shows and
// the filter box stays hidden, so nothing depends on this file.
(function () {
  "use strict";
  document.querySelectorAll("[data-filter-list]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("data-filter-list"));
    var input = box.querySelector("input");
    var status = box.querySelector(".filter-count");
    if (!list || !input) return;
    box.hidden = false;
    var items = list.querySelectorAll("[data-filter-text]");
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var text = item.getAttribute("data-filter-text") + " " + item.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        item.hidden = !match;
        if (match) shown += 1;
      });
      list.querySelectorAll("section").forEach(function (section) {
        section.hidden = !section.querySelector("[data-filter-text]:not([hidden])");
      });
      if (status) status.textContent = words.length ? shown + " shown" : "";
    });
  });
})();
