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
  // Alt+ArrowLeft / Alt+ArrowRight move between weeks on the schedule.
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowLeft" && event.key !== "ArrowRight")) return;
    var link = document.querySelector(event.key === "ArrowLeft" ? "a[rel=prev]" : "a[rel=next]");
    if (link) { event.preventDefault(); link.click(); }
  });
  // After ticked cells went into the cart: untick them and outline them as "in your cart".
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-clear-after-add") || !event.detail.successful) return;
    form.querySelectorAll("input[name=cell]:checked").forEach(function (box) {
      box.checked = false;
      var cell = box.closest("td");
      if (cell) cell.classList.add("in-cart");
      // Screen readers hear it too: "…, in your cart".
      var named = box.getAttribute("aria-labelledby");
      if (named && named.indexOf("cell-in-cart") === -1) box.setAttribute("aria-labelledby", named + " cell-in-cart");
      var label = box.getAttribute("aria-label");
      if (label && label.indexOf("in your cart") === -1) box.setAttribute("aria-label", label + ", in your cart");
    });
  });
  // Keyboard users keep their place when htmx replaces the part of the page that had focus (the week
  // navigation links are inside the grid region): focus the element with the same id or rel after.
  var lostFocus = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    lostFocus = null;
    if (active && active !== document.body && event.detail.target && event.detail.target.contains(active)) {
      lostFocus = active.id ? "#" + CSS.escape(active.id) : (active.getAttribute("rel") ? active.tagName.toLowerCase() + "[rel=" + active.getAttribute("rel") + "]" : null);
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!lostFocus) return;
    if (document.activeElement === document.body || !document.activeElement) {
      var again = document.querySelector(lostFocus);
      if (again) again.focus();
    }
    lostFocus = null;
  });
  // The filter form's "Week of" follows the week htmx just showed (◀ ▶, "This week"), so the next
  // filter change stays on that week.
  document.addEventListener("htmx:afterSwap", function (event) {
    var grid = document.getElementById("grid-form");
    var week = document.getElementById("id_week");
    if (grid && week && event.detail.target && event.detail.target.id === "grid-region" && grid.getAttribute("data-week")) {
      week.value = grid.getAttribute("data-week");
    }
  });
  // Keep the nav's cart badge in step after an htmx update that returns a new count.
  document.addEventListener("cartChanged", function (event) {
    var badge = document.getElementById("cart-count");
    if (badge && event.detail && "count" in event.detail) {
      badge.textContent = event.detail.count ? String(event.detail.count) : "";
    }
  });
})();
