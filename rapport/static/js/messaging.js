// The contact form's character counter: a nicety over the hint, which says the limit.
// Without JavaScript the form works the same, and the server says when it is too long.
(function () {
  "use strict";
  document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    var limit = parseInt(counter.getAttribute("data-limit"), 10);
    if (!field || !limit) {
      return;
    }
    var format = new Intl.NumberFormat("en-US");
    function update() {
      var length = field.value.length;
      var over = length > limit;
      counter.textContent = over
        ? format.format(length) + " of " + format.format(limit) + " characters: " +
          format.format(length - limit) + " too many"
        : format.format(length) + " of " + format.format(limit) + " characters";
      counter.classList.toggle("mcounter-over", over);
    }
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    counter.hidden = false;
    field.addEventListener("input", update);
    update();
  });
})();

// "What I'm looking for": with JavaScript, its box shows once "Add what I'm looking for" is
// ticked (never hiding words already typed). Without it, the box is simply always there.
(function () {
  "use strict";
  document.querySelectorAll("[data-shown-by]").forEach(function (part) {
    var box = document.getElementById(part.getAttribute("data-shown-by"));
    var text = part.querySelector("textarea");
    if (!box || !text) {
      return;
    }
    function update() {
      part.hidden = !box.checked && !text.value.trim();
    }
    box.setAttribute("aria-controls", part.id || (part.id = box.id + "-part"));
    box.addEventListener("change", update);
    update();
  });
})();
