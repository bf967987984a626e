// Progressive enhancement only: every page works without this file. (The survey forms are
// autocomplete="off": the browser neither suggests earlier answers nor restores typed values
// into a page it reloads from its history.)
(function () {
  "use strict";
  var main = document.getElementById("main");
  // Wipes what the page shows, so that no history or back-forward cache entry of it keeps an
  // answer. Used by Quick exit and when a survey page comes back from the back-forward cache.
  function wipe() {
    document.title = "";
    if (main) main.textContent = "";
  }
  // A QR card's link carries the code; take it out of the address bar and history entry.
  if (window.history && location.search.indexOf("code=") !== -1) {
    history.replaceState(null, "", location.pathname);
  }
  // Quick exit: blank this page and replace it in the history, so "Back" does not return to it.
  document.querySelectorAll("a.exit").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      wipe();
      location.replace(a.href);
    });
  });
  // From a page that carries a code, Quick exit is a form that retires the code: sent as a
  // beacon, so that the page can be replaced in the history rather than followed by another.
  function leaveQuietly() {
    var f = document.querySelector("form.exit-form");
    if (!f) return false;
    var sent = navigator.sendBeacon && navigator.sendBeacon(f.action, new URLSearchParams(new FormData(f)));
    if (!sent) return false;
    wipe();
    location.replace(f.getAttribute("data-to"));
    return true;
  }
  document.querySelectorAll("form.exit-form").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (leaveQuietly()) e.preventDefault();
    });
  });
  // A second tap on Send (or Next) while the first is on its way would replace the first's
  // answer with "This code can't be used" — and a voucher shown once would never be seen. A
  // form that carries a code is sent once; after a while it may be sent again, in case the
  // network lost the first.
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("input[name=_code]")) return;
    form.addEventListener("submit", function (e) {
      if (form.getAttribute("data-sent")) {
        e.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
      setTimeout(function () { form.removeAttribute("data-sent"); }, 15000);
    });
  });
  // A survey page restored by "Back" from the back-forward cache (say, after Quick exit left
  // the page after it) would show its answers at once on a shared phone. Blank it and load it
  // again, as browsers without that cache do: the browser asks before sending the form again,
  // and the server shows nothing for a code already used. (Not a jump to the start page: a
  // peer who pressed Back mid-survey would lose every answer without being told.)
  window.addEventListener("pageshow", function (e) {
    if (e.persisted && document.querySelector("input[name=_code][type=hidden]")) {
      wipe();
      location.reload();
    }
  });
  // A kiosk on a shared tablet: after "Thank you" ("Next person"), Quick exit (above) or a pause
  // without input, go back to the kiosk's clean start page, replacing this page in the history
  // and clearing every form first, so Back reaches nothing of the person before.
  var kiosk = document.body.getAttribute("data-kiosk");
  if (kiosk) {
    var reset = function () {
      // A page with a code retires it on the way (the beacon is sent before forms are cleared).
      if (leaveQuietly()) return;
      document.querySelectorAll("form").forEach(function (f) { f.reset(); });
      wipe();
      location.replace(kiosk);
    };
    document.querySelectorAll("[data-kiosk-reset]").forEach(function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        reset();
      });
    });
    var idle = Number(document.body.getAttribute("data-idle")) * 1000;
    if (idle > 0) {
      // The page says how long it waits (a line hidden from browsers without this script, whose
      // wait runs from when the page opened), and warns before it clears itself: any tap, or
      // "More time", starts the wait again.
      document.querySelectorAll("[data-kiosk-limit]").forEach(function (p) { p.hidden = false; });
      var warning = document.getElementById("kiosk-warn");
      var lead = warning ? Number(warning.getAttribute("data-lead")) * 1000 : 0;
      var timer = 0, warned = 0;
      var arm = function () {
        clearTimeout(timer);
        clearTimeout(warned);
        if (warning) warning.hidden = true;
        timer = setTimeout(reset, idle);
        if (warning && lead > 0 && lead < idle) {
          warned = setTimeout(function () {
            warning.hidden = false;
            warning.querySelector("button").focus({ preventScroll: true });
          }, idle - lead);
        }
      };
      ["input", "change", "click", "keydown", "pointerdown", "scroll"].forEach(function (name) {
        document.addEventListener(name, arm, true);
      });
      arm();
    }
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
  }
  // After a "Next" that found problems, start reading at the list of them.
  var errors = document.getElementById("errors");
  if (errors && document.activeElement !== errors) errors.focus();
  // "None of these", "Don't know" and "Prefer not to say" stand alone: ticking one clears the
  // other boxes and the typed answer of the same question; ticking another option clears them.
  document.addEventListener("change", function (e) {
    var box = e.target;
    if (box.type !== "checkbox" || !box.checked) return;
    var group = box.closest(".q");
    if (!group) return;
    var alone = box.hasAttribute("data-exclusive");
    group.querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other === box || other.name !== box.name) return;
      if (alone || other.hasAttribute("data-exclusive")) other.checked = false;
    });
    if (alone) {
      group.querySelectorAll("input[type=number],input[type=month],input[type=date],textarea").forEach(function (f) {
        if (f.name === box.name) f.value = "";
      });
    }
  });
  // Typing an answer clears a ticked "Don't know" or "Prefer not to say" of the same question.
  // Only typed fields: a tick is handled above (its "input" event must not untick itself).
  document.addEventListener("input", function (e) {
    var field = e.target;
    var typed = field.tagName === "TEXTAREA" || field.type === "number" || field.type === "month" || field.type === "date";
    if (!typed || !field.name || !field.value) return;
    var group = field.closest(".q");
    if (!group) return;
    group.querySelectorAll("input[type=checkbox][data-exclusive]").forEach(function (box) {
      if (box.name === field.name) box.checked = false;
    });
  });
  // Logic within a page: a question asked only for some answers above it appears and
  // disappears as they are given. While hidden its fields are disabled, so they are not sent
  // (the server would set them aside anyway). Without this script the hint says when to answer.
  var dependent = document.querySelectorAll(".q[data-if-values]");
  function reveal() {
    dependent.forEach(function (q) {
      var values = q.getAttribute("data-if-values").split(" ");
      var on = false;
      document.querySelectorAll("[name='" + q.getAttribute("data-if") + "']").forEach(function (f) {
        var chosen = f.tagName === "SELECT" || f.checked;
        if (chosen && !f.disabled && values.indexOf(f.value) !== -1) on = true;
      });
      q.hidden = !on;
      q.querySelectorAll("input,select,textarea").forEach(function (f) {
        f.disabled = !on;
      });
      var hint = q.querySelector(".if-hint");
      if (hint) hint.hidden = true;
    });
  }
  if (dependent.length) {
    reveal();
    document.addEventListener("change", reveal);
  }
})();
