// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // A QR card's link carries the code; take it out of the address bar and history entry.
  if (window.history && location.search.indexOf("code=") !== -1) {
    history.replaceState(null, "", location.pathname);
  }
  // Quick exit: replace this page in the history so "Back" does not return to it.
  document.querySelectorAll("a.exit").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      location.replace(a.href);
    });
  });
  // "None of these", "Don't know", "Prefer not to say" stand alone: ticking one clears the
  // others in the same question, and ticking another option clears them.
  document.addEventListener("change", function (e) {
    var box = e.target;
    if (!box.checked || box.type !== "checkbox") return;
    var group = box.closest(".q");
    if (!group) return;
    group.querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other === box || other.name !== box.name) return;
      if (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive")) {
        other.checked = false;
      }
    });
    if (box.hasAttribute("data-exclusive")) {
      group.querySelectorAll("input[type=number],input[type=month],textarea").forEach(function (f) {
        if (f.name === box.name) f.value = "";
      });
    }
  });
  // Typing an answer clears a ticked non-answer for the same question.
  document.addEventListener("input", function (e) {
    var field = e.target;
    if (!field.name || !field.value) return;
    var group = field.closest(".q");
    if (!group) return;
    group.querySelectorAll("input[type=checkbox][data-exclusive]").forEach(function (box) {
      if (box.name === field.name) box.checked = false;
    });
  });
})();
