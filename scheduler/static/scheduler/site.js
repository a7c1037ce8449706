// labsite pages: the little behaviour that is not htmx. No inline handlers (CSP friendly).
(function () {
  "use strict";
  // Ask before destructive actions: <form data-confirm="Cancel this session?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  // "/" focuses the search box, as on the old scheduler.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (document.activeElement && document.activeElement.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var search = document.querySelector("[data-search]");
    if (search) { event.preventDefault(); search.focus(); }
  });
  // Keep the nav's cart badge in step after an htmx update that returns a new count.
  document.addEventListener("cartChanged", function (event) {
    var badge = document.getElementById("cart-count");
    if (badge && event.detail && "count" in event.detail) {
      badge.textContent = event.detail.count ? String(event.detail.count) : "";
    }
  });
})();
