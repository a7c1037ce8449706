// Colours chosen at run time (a tag's colour) come as data-paint-bg / data-paint-border attributes
// and are set through the CSSOM: the Content Security Policy forbids style attributes in the HTML,
// not styles set by the site's own script. Used by the pages and the admin.
(function () {
  "use strict";
  var COLOUR = /^#[0-9a-fA-F]{6}$/;
  function paint(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("[data-paint-bg]").forEach(function (el) {
      var colour = el.getAttribute("data-paint-bg");
      if (COLOUR.test(colour)) el.style.backgroundColor = colour;
    });
    root.querySelectorAll("[data-paint-border]").forEach(function (el) {
      var colour = el.getAttribute("data-paint-border");
      if (COLOUR.test(colour)) el.style.borderLeftColor = colour;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { paint(document); });
  } else {
    paint(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { paint(event.target); });
})();
