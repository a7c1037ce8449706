// Session wiring page: "Copy" buttons put a <pre>'s text on the clipboard (or select it to copy by hand).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!source) return;
    function selectText() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    function done(message) { if (status) status.textContent = message; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent).then(function () { done("Copied."); }, function () {
        selectText(); done("Selected: press Ctrl+C to copy.");
      });
    } else {
      selectText(); done("Selected: press Ctrl+C to copy.");
    }
  });
})();
