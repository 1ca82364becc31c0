// DVK unit pickers (macros.html unit_picker) and the unit tree (units/tree.html). Everything
// here only helps: without script the picker's "Tìm" sends the form and the tree's links open
// the page at a unit.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (!el || el.tagName !== "INPUT" || !el.form) return;
    if (el.hasAttribute("data-picker")) {
      var list = document.getElementById(el.getAttribute("aria-controls"));
      if (event.key === "Enter") {
        // Enter in a picker searches, unless htmx did already for what is typed: it never
        // sends the form.
        event.preventDefault();
        if (window.htmx && el.value !== el.getAttribute("data-asked")) window.htmx.trigger(el, "pick-now");
      } else if (event.key === "ArrowDown" && list) {
        // Down from the field goes to the units found; arrows then move among them.
        var first = list.querySelector("input[type=radio]:checked") || list.querySelector("input[type=radio]");
        if (first) { event.preventDefault(); first.focus(); }
      }
      return;
    }
    if (event.key !== "Enter" || !el.form.querySelector("input[data-picker]")) return;
    if (["checkbox", "radio", "button", "submit"].indexOf(el.type) >= 0) return;
    // Elsewhere in a form with a picker, Enter sends the form with its own button: the browser
    // would press the first one, the picker's "Tìm".
    var own = el.form.querySelector('button[type=submit]:not([name="_pick"])');
    if (own && el.form.requestSubmit) {
      event.preventDefault();
      el.form.requestSubmit(own);
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var el = event.detail && event.detail.elt;
    if (el && el.hasAttribute && el.hasAttribute("data-picker")) el.setAttribute("data-asked", el.value);
  });

  // A picker of several units (macros.unit_choices): a unit ticked among those found, or made
  // the default, joins those chosen (a new search would otherwise take it away); the default
  // unticked passes to the next unit chosen, or to "none". Without script the server reads the
  // same boxes the same way (app/ui/unit_form.py).
  document.addEventListener("change", function (event) {
    var el = event.target;
    var box = el && el.closest ? el.closest("[data-many]") : null;
    if (!box || !el.value) return;
    var row = el.closest(".many-row");
    var chosen = box.querySelector("[data-chosen]");
    if (!row || !chosen) return;
    var tick = row.querySelector("input[type=checkbox]");
    var radio = row.querySelector("input[type=radio]");
    if (el === radio && el.checked) tick.checked = true;
    if (tick.checked && row.parentNode !== chosen) chosen.insertBefore(row, chosen.lastElementChild);
    if (el === tick && !tick.checked && radio.checked) {
      var next = chosen.querySelector(".many-row input[type=checkbox]:checked");
      var other = next ? next.closest(".many-row").querySelector("input[type=radio]")
        : chosen.querySelector('input[type=radio][value=""]');
      if (other) other.checked = true;
    }
  });

  // A unit of the tree whose units below have come: its toggle says so.
  document.addEventListener("htmx:afterRequest", function (event) {
    var el = event.detail && event.detail.elt;
    if (!el || !el.hasAttribute || !el.hasAttribute("data-tree-open") || !event.detail.successful) return;
    el.setAttribute("aria-expanded", "true");
    el.textContent = el.textContent.replace("▸", "▾");
    el.setAttribute("aria-label", el.getAttribute("aria-label").replace(/^Mở/, "Đã mở"));
  });
})();
