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
  // The first field the server refused takes the focus, so its message (aria-describedby) is
  // read out and the clerk types the correction at once: after an htmx answer and after a
  // whole page's (without htmx). A refusal of no shown field focuses the form's message.
  function focusFirstError(root, refused) {
    // A list's entry form; after an htmx refusal also a record's own page (a model's, a
    // petition's: its act forms are swapped in with the page's content, #main).
    var form = root.getElementById("entry-form") || (refused ? root.getElementById("main") : null);
    if (!form) return;
    var target = form.querySelector('[aria-invalid="true"]');
    if (!target) {
      target = form.querySelector(".notice.error");
      if (target) target.setAttribute("tabindex", "-1");
    }
    if (!target) return;
    // Focused without the browser's own scroll, which leaves the field at the screen's top
    // edge with its label above it out of sight; centred, the label and message show too.
    target.focus({ preventScroll: true });
    if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status >= 400) focusFirstError(document, true);
  });

  // "Thêm …" at the top of a list jumps to the entry form (the link's #entry-form) and puts
  // the cursor in its first field.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-to-form]");
    var form = document.getElementById("entry-form");
    if (!link || !form || link.getAttribute("href") !== "#entry-form") return;
    var first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) setTimeout(function () { first.focus(); }, 0);
  });

  // Forms the server checks field by field carry `novalidate`; on the others the browser's
  // own "Please fill out this field" would speak its language, not the page's: say it in
  // Vietnamese.
  var SAY = { valueMissing: "Vui lòng điền mục này.", typeMismatch: "Giá trị chưa đúng dạng.",
              patternMismatch: "Giá trị chưa đúng dạng.", tooShort: "Giá trị quá ngắn.",
              tooLong: "Giá trị quá dài.", rangeUnderflow: "Giá trị nhỏ hơn mức cho phép.",
              rangeOverflow: "Giá trị lớn hơn mức cho phép.", stepMismatch: "Giá trị chưa đúng bước." };
  document.addEventListener("invalid", function (event) {
    var el = event.target, v = el.validity;
    if (!v || v.customError) return;
    if (el.type === "file" && v.valueMissing) { el.setCustomValidity("Vui lòng chọn một tệp."); return; }
    for (var k in SAY) if (v[k]) { el.setCustomValidity(SAY[k]); return; }
  }, true);
  function clear(event) {
    var el = event.target;
    if (el && el.setCustomValidity) el.setCustomValidity("");
  }
  document.addEventListener("input", clear, true);
  document.addEventListener("change", clear, true);

  // The Vietnamese file button (imports/page.html) says which file was chosen.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || el.type !== "file") return;
    var shown = document.querySelector('[data-file-name-of="' + el.id + '"]');
    if (shown) shown.textContent = el.files && el.files.length ? el.files[0].name : "Chưa chọn tệp";
  });

  // The menu (base.html) is a <details>, folded on a phone; on a wide screen app.css shows it
  // always, where the browser knows ::details-content; elsewhere it is opened here.
  function menuFits() {
    var menu = document.querySelector("details.menu");
    if (!menu || (window.CSS && CSS.supports && CSS.supports("selector(::details-content)"))) return;
    if (window.matchMedia("(min-width: 701px)").matches) menu.open = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    menuFits();
    focusFirstError(document);
  });
})();
