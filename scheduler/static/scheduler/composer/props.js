// Topology composer: the properties panel of the selected node or link (name, type, pin search,
// notes, parameters, delete) and, through resolve.js, its place in the chosen option.
(function (LC) {
  "use strict";
  var h = LC.h, $ = LC.$, Editor = LC.Editor;

  function field(id, labelText, control, help) {
    control.id = id;
    var error = h("p", { className: "form-error", id: id + "-error", role: "alert", hidden: true });
    return h("div", { className: "field" }, [h("label", { "for": id, text: labelText }), control, help ? h("span", { className: "help", text: help }) : null, error]);
  }

  LC.fieldError = function (input, message) {
    var error = document.getElementById(input.id + "-error");
    if (message) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", input.id + "-error"); }
    else { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
    if (error) { error.textContent = message || ""; error.hidden = !message; }
  };

  function paramsText(params) {
    return Object.keys(params).map(function (k) { return k + " = " + (typeof params[k] === "string" ? params[k] : JSON.stringify(params[k])); }).join("\n");
  }
  function parseParams(text) {
    var params = {}, bad = null;
    text.split("\n").forEach(function (line, i) {
      if (!line.trim()) return;
      var at = line.indexOf("=");
      if (at < 1) { bad = bad || "Line " + (i + 1) + ": write “name = value”."; return; }
      params[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    });
    return { params: params, error: bad };
  }

  Editor.prototype.renderProps = function () {
    var self = this, panel = $("#props", this.root);
    panel.textContent = "";
    var sel = this.selected;
    if (!sel) {
      panel.appendChild(h("h2", { text: "Properties" }));
      panel.appendChild(h("p", { className: "muted", text: "Select a node or a link (click it, or Tab to it and press Enter) to edit it." }));
      return;
    }
    if (sel.kind === "node") {
      var node = this.node(sel.id);
      if (!node) { this.selected = null; this.renderProps(); return; }
      panel.appendChild(h("h2", { text: "Node " + node.key }));
      var key = h("input", { type: "text", value: node.key, maxlength: "50", autocomplete: "off" });
      panel.appendChild(field("prop-key", "Name", key, "Unique in this topology, e.g. roadm1 or A."));
      key.addEventListener("change", function () {
        var error = self.renameNode(node.key, key.value);
        LC.fieldError(key, error);
        if (!error) panel.querySelector("h2").textContent = "Node " + node.key;
      });
      if (node.device) {
        var unpin = h("button", { type: "button", className: "secondary", id: "prop-unpin", text: "Unpin" });
        panel.appendChild(h("p", { id: "prop-pinned" }, ["Pinned to ", h("strong", { text: this.deviceNames[node.device] || "device " + node.device }), " "]));
        panel.lastChild.appendChild(unpin);
        unpin.addEventListener("click", function () {
          node.device_type = node.device_type_of_pin || self.data.device_types[0].id;
          node.device = null;
          self.changed(false); self.renderProps();
          $("#prop-type", panel).focus();
        });
      } else {
        var type = h("select", {});
        this.data.device_types.forEach(function (t) { type.appendChild(h("option", { value: String(t.id), text: t.name, selected: t.id === node.device_type })); });
        panel.appendChild(field("prop-type", "Device type", type));
        type.addEventListener("change", function () { node.device_type = Number(type.value); self.changed(false); });
      }
      panel.appendChild(this.pinSearch(node));
      var notes = h("textarea", { rows: "2" });
      notes.value = node.notes;
      panel.appendChild(field("prop-notes", "Notes", notes));
      notes.addEventListener("input", function () { node.notes = notes.value; self.dirty = true; self.setStatus("Unsaved changes."); });
      var params = h("textarea", { rows: "2", spellcheck: "false" });
      params.value = paramsText(node.params);
      panel.appendChild(field("prop-params", "Parameters", params, "One “name = value” per line, e.g. wavelength = 1550 nm."));
      params.addEventListener("change", function () {
        var parsed = parseParams(params.value);
        LC.fieldError(params, parsed.error);
        if (!parsed.error) { node.params = parsed.params; self.dirty = true; self.setStatus("Unsaved changes."); }
      });
      if (LC.renderNodeMapping) LC.renderNodeMapping(panel, node.key);
      var del = h("button", { type: "button", className: "danger", id: "prop-delete", text: "Delete node " + node.key });
      del.addEventListener("click", function () { self.removeNode(node.key); });
      panel.appendChild(h("p", {}, [del]));
    } else {
      var link = this.links[sel.id];
      if (!link) { this.selected = null; this.renderProps(); return; }
      panel.appendChild(h("h2", { text: "Link " + link.a + " – " + link.b }));
      var fixed = h("input", { type: "checkbox", id: "prop-fixed", checked: link.fixed_only });
      panel.appendChild(h("div", { className: "field" }, [fixed, " ", h("label", { "for": "prop-fixed", className: "inline", text: "Fixed only (a spliced fibre or patch cord, not through the switch)" })]));
      fixed.addEventListener("change", function () { link.fixed_only = fixed.checked; self.changed(false); });
      var lnotes = h("textarea", { rows: "2" });
      lnotes.value = link.notes;
      panel.appendChild(field("prop-link-notes", "Notes", lnotes, "Wavelength, fibre, anything the experiment needs."));
      lnotes.addEventListener("input", function () { link.notes = lnotes.value; self.dirty = true; self.renderDiagram(); self.setStatus("Unsaved changes."); });
      if (LC.renderLinkMapping) LC.renderLinkMapping(panel, sel.id);
      var ldel = h("button", { type: "button", className: "danger", id: "prop-delete", text: "Delete this link" });
      ldel.addEventListener("click", function () { self.removeLink(sel.id); });
      panel.appendChild(h("p", {}, [ldel]));
    }
  };

  // Search the lab's bookable devices by name or port label and pin the node to one.
  Editor.prototype.pinSearch = function (node) {
    var self = this, input = h("input", { type: "search", autocomplete: "off", placeholder: "name or port label, e.g. roadm_10" });
    var results = h("ul", { className: "pin-results", id: "pin-results", "aria-live": "polite" });
    var wrap = field("prop-pin", node.device ? "Pin to another device" : "Pin to a device", input, "Search by device name or port label.");
    wrap.appendChild(results);
    var timer = null, seq = 0;
    function search() {
      var q = input.value.trim(), mine = ++seq;
      if (q.length < 2) { results.textContent = ""; return; }
      LC.api("GET", self.data.urls.devices + "?bookable=true&limit=8&q=" + encodeURIComponent(q)).then(function (r) {
        if (mine !== seq) return;
        results.textContent = "";
        var rows = (r.data && r.data.results) || [];
        if (r.status !== 200) { results.appendChild(h("li", { className: "error", text: LC.errorMessages(r.data).join(" ") })); return; }
        if (!rows.length) { results.appendChild(h("li", { className: "muted", text: "No bookable device matches “" + q + "”." })); return; }
        rows.forEach(function (d) {
          var ports = (d.ports || []).filter(function (p) { return p.name.toLowerCase().indexOf(q.toLowerCase()) >= 0; }).map(function (p) { return p.name; });
          var button = h("button", { type: "button", className: "link-button", "data-pin": String(d.id), text: "Pin " + d.name });
          button.addEventListener("click", function () {
            self.deviceNames[d.id] = d.name;
            node.device_type_of_pin = d.device_type && d.device_type.id;
            node.device = d.id; node.device_type = null;
            self.changed(false); self.renderProps();
            self.announce("Pinned " + node.key + " to " + d.name + ".");
            var unpin = $("#prop-unpin", self.root);
            if (unpin) unpin.focus();
          });
          results.appendChild(h("li", {}, [button, h("span", { className: "muted", text: " " + (d.device_type ? d.device_type.name : "") + (ports.length ? " · ports " + ports.slice(0, 3).join(", ") : "") })]));
        });
      });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 200); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); clearTimeout(timer); search(); }
      if (event.key === "ArrowDown") { var first = results.querySelector("button"); if (first) { event.preventDefault(); first.focus(); } }
    });
    return wrap;
  };

})(window.LabComposer = window.LabComposer || {});
