// The searchable device picker: turns <select multiple data-device-picker> into a search box with a
// list of matches and the chosen devices as removable chips. Type to filter by name, type or port
// label (each <option data-search>); ↓/↑ move through the matches, Enter picks or unpicks one,
// Escape closes the list, Backspace in an empty box removes the last chip. The <select> stays in the
// form (hidden) and holds the value, so the server sees exactly what it saw before; without script it
// is a plain multi-select. No inline script or style (CSP).
(function () {
  "use strict";
  var MAX_SHOWN = 50;
  var counter = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) node.textContent = text;
    return node;
  }

  function enhance(select) {
    if (select.hasAttribute("data-enhanced")) return;
    select.setAttribute("data-enhanced", "");
    var id = "picker-" + (++counter);
    var options = Array.prototype.slice.call(select.options);
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    var help = select.parentNode.querySelector(".help");

    var box = el("div", {"class": "picker"});
    var chips = el("ul", {"class": "chips", "aria-label": "Chosen devices", id: id + "-chips"});
    var input = el("input", {
      type: "text", id: id + "-input", "class": "picker-input", role: "combobox", autocomplete: "off",
      "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": id + "-list",
      placeholder: "name, type or port label",
    });
    var list = el("ul", {id: id + "-list", role: "listbox", "aria-multiselectable": "true", "class": "picker-list",
                         "aria-label": "Matching devices"});
    list.hidden = true;
    var status = el("p", {"class": "picker-status", role: "status", id: id + "-status"});
    if (help) { help.id = help.id || id + "-help"; input.setAttribute("aria-describedby", help.id + " " + status.id); }
    else input.setAttribute("aria-describedby", status.id);
    if (label) label.setAttribute("for", input.id);
    box.appendChild(chips);
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(status);
    select.parentNode.insertBefore(box, select);
    select.hidden = true;
    select.removeAttribute("required");  // the picker checks it on submit, with a message
    select.tabIndex = -1;

    var shown = [];
    var active = -1;

    function groupOf(option) {
      return option.parentNode && option.parentNode.tagName === "OPTGROUP" ? option.parentNode.label : "";
    }

    function renderChips() {
      chips.textContent = "";
      options.filter(function (o) { return o.selected; }).forEach(function (option) {
        var chip = el("li", {"class": "chip"});
        chip.appendChild(el("span", {}, option.text));
        var remove = el("button", {type: "button", "class": "chip-remove", "aria-label": "Remove " + option.text}, "×");
        remove.addEventListener("click", function () {
          // After the click has finished bubbling (htmx looks at the clicked button's form), since
          // redrawing the chips removes this button.
          window.setTimeout(function () { toggle(option); input.focus(); }, 0);
        });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      chips.hidden = !chips.children.length;
    }

    function setActive(index) {
      var items = list.children;
      if (active >= 0 && items[active]) items[active].classList.remove("active");
      active = index;
      if (active >= 0 && items[active]) {
        items[active].classList.add("active");
        input.setAttribute("aria-activedescendant", items[active].id);
        items[active].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open(isOpen) {
      list.hidden = !isOpen;
      input.setAttribute("aria-expanded", isOpen ? "true" : "false");
      if (!isOpen) setActive(-1);
    }

    function search() {
      var terms = input.value.toLowerCase().split(",").map(function (t) { return t.trim(); }).filter(Boolean);
      var matches = options.filter(function (option) {
        if (!terms.length) return true;
        var text = (option.getAttribute("data-search") || option.text).toLowerCase();
        return terms.some(function (term) { return text.indexOf(term) !== -1; });
      });
      shown = matches.slice(0, MAX_SHOWN);
      list.textContent = "";
      shown.forEach(function (option, index) {
        var item = el("li", {id: id + "-opt-" + index, role: "option", "class": "picker-option",
                             "aria-selected": option.selected ? "true" : "false"});
        item.appendChild(el("span", {"class": "picker-name"}, option.text));
        item.appendChild(el("span", {"class": "picker-type"}, groupOf(option)));
        item.addEventListener("mousedown", function (event) { event.preventDefault(); });
        item.addEventListener("click", function () { toggle(option); setActive(index); });
        list.appendChild(item);
      });
      var more = matches.length > shown.length ? " Showing the first " + shown.length + "; type more to narrow." : "";
      status.textContent = matches.length ? matches.length + " matching device" + (matches.length === 1 ? "" : "s") + "." + more
                                          : "No device matches “" + input.value + "”.";
      open(true);
      setActive(shown.length ? 0 : -1);
    }

    function toggle(option) {
      option.selected = !option.selected;
      renderChips();
      var index = shown.indexOf(option);
      if (index >= 0 && list.children[index]) list.children[index].setAttribute("aria-selected", option.selected ? "true" : "false");
      var count = options.filter(function (o) { return o.selected; }).length;
      status.textContent = option.text + (option.selected ? " added. " : " removed. ") + count + " device" + (count === 1 ? "" : "s") + " chosen.";
    }

    input.addEventListener("input", search);
    input.addEventListener("focus", function () { if (input.value) search(); });
    input.addEventListener("blur", function () { open(false); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        setActive(Math.min(active + 1, shown.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        setActive(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && shown[active]) {
          event.preventDefault();  // picks the device; it does not submit the form
          toggle(shown[active]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); open(false); }
      } else if (event.key === "Backspace" && !input.value) {
        var chosen = options.filter(function (o) { return o.selected; });
        if (chosen.length) toggle(chosen[chosen.length - 1]);
      }
    });
    select.form && select.form.addEventListener("submit", function (event) {
      if (!options.some(function (o) { return o.selected; })) {
        event.preventDefault();
        status.textContent = "Choose at least one device.";
        input.focus();
      }
    });
    renderChips();
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("select[data-device-picker]").forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { enhanceAll(); });
  else enhanceAll();
  document.addEventListener("htmx:afterSwap", function (event) { enhanceAll(event.target); });
})();
