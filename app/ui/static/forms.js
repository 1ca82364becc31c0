// DVK entry forms: money shows its thousands separators as the clerk types
// ("1500000" becomes "1.500.000"), the Vietnamese way. The server reads either form, so this
// is only a help to the eye: anything that is not a plain number is left exactly as typed,
// for the server to explain.
(function () {
  "use strict";
  var PLAIN = /^-?[\d.\s\u00a0]*$/;

  function group(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function reformat(input) {
    var text = input.value;
    if (!PLAIN.test(text)) return;
    var caret = input.selectionStart === null ? text.length : input.selectionStart;
    var digitsBefore = text.slice(0, caret).replace(/\D/g, "").length;
    var negative = text.trim().charAt(0) === "-";
    var digits = text.replace(/\D/g, "").replace(/^0+(?=\d)/, "");
    var shown = (negative ? "-" : "") + group(digits);
    if (shown === text) return;
    input.value = shown;
    var at = negative ? 1 : 0;
    for (var seen = 0; at < shown.length && seen < digitsBefore; at++) {
      if (/\d/.test(shown.charAt(at))) seen++;
    }
    if (document.activeElement === input) input.setSelectionRange(at, at);
  }

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("input[data-money]")) reformat(el);
  });

  // A period picker with its own dates (data-custom-of="<picker's name>", the report page):
  // typing a date chooses "custom" in the picker, and choosing a preset clears the dates, so
  // what is sent is what the form shows. Without script the picker's choice wins (the server).
  document.addEventListener("change", function (event) {
    var el = event.target, form = el && el.form;
    if (!form) return;
    var picker = el.getAttribute("data-custom-of");
    if (picker && el.value && form.elements[picker]) form.elements[picker].value = "custom";
    if (el.tagName === "SELECT" && el.value !== "custom") {
      form.querySelectorAll('[data-custom-of="' + el.name + '"]').forEach(function (d) { d.value = ""; });
    }
  });
})();
