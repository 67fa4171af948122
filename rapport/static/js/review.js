// Keyboard shortcuts for the review queue (progressive enhancement: every action is also a
// plain link or form that works without JavaScript).
//   Queue page: j / k move focus down / up the list; Enter opens the item (a normal link).
//   Item page:  a approves; r / c move to the reason for rejecting / asking for changes
//               (Enter there sends it); j / k go to the next / previous item.
// Keys typed into a field are left alone, and so is anything with Ctrl, Alt or Meta.
(function () {
  "use strict";
  var page = document.querySelector("[data-review]");
  if (!page) return;

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function moveInList(step) {
    var links = Array.prototype.slice.call(page.querySelectorAll(".queue-link"));
    if (!links.length) return;
    var at = links.indexOf(document.activeElement);
    var next = at === -1 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
    links[next].focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (typing(event.target)) return;
    var key = event.key;
    if (page.dataset.review === "queue") {
      if (key === "j") { moveInList(1); event.preventDefault(); }
      else if (key === "k") { moveInList(-1); event.preventDefault(); }
      return;
    }
    if (key === "a") {
      var approve = document.getElementById("approve-button");
      if (approve) { event.preventDefault(); approve.click(); }
    } else if (key === "r" || key === "c") {
      var field = document.getElementById(key === "r" ? "reject-reason" : "changes-reason");
      if (field) { event.preventDefault(); field.focus(); }
    } else if (key === "j" && page.dataset.next) {
      event.preventDefault();
      window.location.assign(page.dataset.next);
    } else if (key === "k" && page.dataset.previous) {
      event.preventDefault();
      window.location.assign(page.dataset.previous);
    }
  });

  // After an action the next item opens: put the focus where the keyboard expects it.
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
})();
