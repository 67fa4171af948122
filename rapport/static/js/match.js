/* Find your match: small enhancements. Every step works without this file.
   No inline script anywhere: the Content-Security-Policy allows scripts from this site only. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // The first issue ticked is the main concern: keep the order boxes are ticked in,
  // in the hidden "order" field the server reads. Without JavaScript it keeps the earlier order.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.name !== "issues" || box.type !== "checkbox") {
      return;
    }
    var field = box.form && box.form.querySelector("input[name=order]");
    if (!field) {
      return;
    }
    var order = field.value ? field.value.split(",") : [];
    order = order.filter(function (slug) { return slug !== box.value; });
    if (box.checked) {
      order.push(box.value);
    }
    field.value = order.join(",");
  });

  // After htmx draws the next step, move focus to what a person should hear first:
  // the problem, then crisis help when shown, otherwise the new question.
  function focusStep() {
    var target =
      document.getElementById("error-summary") ||
      document.querySelector("#match-step [data-focus-first]") ||
      document.getElementById("step-heading");
    if (target) {
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "start" });
    }
  }

  // The only htmx swaps on these pages are steps (the step region is replaced whole).
  document.addEventListener("htmx:afterSettle", function () {
    if (document.getElementById("match-step")) {
      focusStep();
    }
  });

  // "Copy link" on a saved list.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var input = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById("copy-status");
    if (!input) {
      return;
    }
    input.select();
    var done = function () {
      if (status) {
        status.textContent = button.getAttribute("data-copied") || "Link copied.";
      }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
    }
  });
})();
