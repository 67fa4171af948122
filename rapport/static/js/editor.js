/* The profile editor's small helpers. Every page works without this file: the pickers are
   plain checkbox lists, "Preview" and "Add another" post the form back. This file only adds
   a filter box above each picker and a character count under statements. Autosave and
   the live preview are htmx attributes in the markup. No inline script: the CSP forbids it. */
(function () {
  "use strict";

  function setUpPicker(picker) {
    var box = picker.querySelector("[data-picker-filter]");
    var input = box && box.querySelector("input");
    if (!input) return;
    var items = picker.querySelectorAll("[data-filter-text]");
    if (items.length < 12) return; // a short list needs no filter
    var status = box.querySelector(".filter-count");
    var more = picker.querySelector("[data-picker-more]");
    var wasOpen = more ? more.open : false;
    box.hidden = false;
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var text = item.getAttribute("data-filter-text");
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        item.hidden = !match;
        if (match) shown += 1;
      });
      picker.querySelectorAll("[data-picker-group]").forEach(function (group) {
        group.hidden = !group.querySelector("[data-filter-text]:not([hidden])");
      });
      if (more) {
        more.open = words.length ? true : wasOpen;
      }
      status.textContent = words.length ? shown + (shown === 1 ? " match" : " matches") : "";
    });
    // Typing in the filter changes nothing to save: keep it from waking the autosave.
    input.addEventListener("input", function (event) { event.stopPropagation(); });
    // Enter in the filter box would submit the whole form: it only filters.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    if (more) {
      more.addEventListener("toggle", function () {
        if (!input.value) wasOpen = more.open;
      });
    }
  }

  function setUpCounter(counter) {
    var field = document.getElementById(counter.getAttribute("data-char-count"));
    var limit = parseInt(counter.getAttribute("data-limit"), 10);
    if (!field || !limit) return;
    function update() {
      var used = field.value.length;
      counter.textContent = used.toLocaleString("en-US") + " of " + limit.toLocaleString("en-US") + " characters";
      counter.classList.toggle("over-limit", used > limit);
    }
    counter.hidden = false;
    field.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("[data-picker]").forEach(setUpPicker);
  document.querySelectorAll("[data-char-count]").forEach(setUpCounter);

  // Once the form is being saved, a late autosave must not bring back the draft the save cleared.
  var submitting = false;
  document.addEventListener("submit", function () { submitting = true; });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (submitting && elt && elt.classList && elt.classList.contains("editor-form")) {
      event.preventDefault();
    }
  });

  // The error summary takes focus, so a screen reader hears what to fix first.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
