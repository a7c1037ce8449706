// Topology composer: the composition (nodes, links, notes, pins), the palette, the lists and
// saving on the server through the topology API (the properties panel is in props.js). Rules about what is valid
// live on the server; the checks here only spare a round trip and put the message by the field.
(function (LC) {
  "use strict";
  var KEY_MAX = 50;
  // Params the composer keeps for itself: notes and the diagram position of a dragged node.
  var OWN_PARAMS = { notes: true, _xy: true };

  function $(sel, root) { return (root || document).querySelector(sel); }
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (a) {
      if (a === "text") node.textContent = attrs[a];
      else if (a === "className") node.className = attrs[a];
      else if (attrs[a] === true) node.setAttribute(a, "");
      else if (attrs[a] !== false && attrs[a] != null) node.setAttribute(a, attrs[a]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  LC.h = h;
  LC.$ = $;

  function csrfToken() {
    var input = $("#composer input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // fetch() with the CSRF header and JSON both ways; resolves {status, data} (never rejects on 4xx).
  LC.api = function (method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") options.headers["X-CSRFToken"] = csrfToken();
    if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(url, options).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var parse = type.indexOf("json") >= 0 ? response.json() : response.text().then(function (t) { return { detail: t.slice(0, 300) }; });
      return parse.then(function (data) { return { status: response.status, data: data }; });
    }, function () {
      return { status: 0, data: { detail: "The server could not be reached; check your connection and try again." } };
    });
  };

  // Messages of a DRF error body, flattened: "nodes › 2 › key: This field is required."
  LC.errorMessages = function (data) {
    var out = [];
    (function walk(value, path) {
      if (value == null) return;
      if (typeof value === "string") { out.push((path.length ? path.join(" › ") + ": " : "") + value); return; }
      if (Array.isArray(value)) {
        if (value.every(function (v) { return typeof v === "string"; })) { value.forEach(function (v) { walk(v, path); }); return; }
        value.forEach(function (v, i) { walk(v, path.concat(String(i + 1))); });
        return;
      }
      Object.keys(value).forEach(function (k) {
        if (k === "conflicts" && Array.isArray(value[k])) {
          value[k].forEach(function (c) { out.push(c.message || c.reason || JSON.stringify(c)); });
        } else walk(value[k], k === "detail" || k === "non_field_errors" ? path : path.concat(k));
      });
    })(data, []);
    return out.filter(function (m, i) { return out.indexOf(m) === i; });
  };

  function Editor(root, data) {
    this.root = root;
    this.data = data;
    this.types = {};
    var self = this;
    data.device_types.forEach(function (t) { self.types[t.id] = t; });
    this.deviceNames = data.device_names || {};
    this.switchNames = data.switch_names || {};
    this.listeners = [];
    this.drawn = null;
    this.selected = null;
    this.load(data.topology);
    this.diagram = new LC.Diagram($("#diagram", root), {
      select: function (kind, id) { self.select(kind, id); },
      move: function (key, x, y, final) { self.moveNode(key, x, y, final); },
      remove: function (kind, id) { if (kind === "node") self.removeNode(id); else self.removeLink(id); }
    });
    this.bind();
    this.relayout();
    this.render();
  }

  LC.Editor = Editor;

  Editor.prototype.load = function (topology) {
    var self = this;
    this.id = topology ? topology.id : null;
    this.name = topology ? topology.name : "";
    this.description = topology ? (topology.description || "") : "";
    this.nodes = ((topology && topology.nodes) || []).map(function (n) {
      var device = n.device && typeof n.device === "object" ? n.device : null;
      var deviceId = device ? device.id : n.device;
      var typeId = n.device_type && typeof n.device_type === "object" ? n.device_type.id : n.device_type;
      if (device && device.name) self.deviceNames[deviceId] = device.name;
      var params = Object.assign({}, n.params || {});
      var notes = typeof params.notes === "string" ? params.notes : "";
      var at = Array.isArray(params._xy) && params._xy.length === 2 ? params._xy : null;
      Object.keys(OWN_PARAMS).forEach(function (k) { delete params[k]; });
      return { key: n.key, device_type: deviceId ? null : typeId, device: deviceId || null, params: params, notes: notes,
        site: n.site || null, tag: n.tag || null, x: at ? at[0] : null, y: at ? at[1] : null, fixed: !!at,
        device_type_of_pin: deviceId ? (self.data.device_type_of || {})[deviceId] : null };
    });
    this.links = ((topology && topology.links) || []).map(function (l) {
      return { a: l.a, b: l.b, fixed_only: !!l.fixed_only, notes: l.notes || "" };
    });
  };

  // The composition as the topology API takes it; a dragged node's position goes in params._xy.
  Editor.prototype.toApi = function () {
    return {
      name: this.name, description: this.description,
      nodes: this.nodes.map(function (n) {
        var params = Object.assign({}, n.params);
        if (n.notes) params.notes = n.notes;
        if (n.fixed && n.x != null) params._xy = [n.x, n.y];
        return { key: n.key, device_type: n.device ? null : n.device_type, device: n.device || null, site: n.site, tag: n.tag, params: params };
      }),
      links: this.links.map(function (l) { return { a: l.a, b: l.b, fixed_only: l.fixed_only, notes: l.notes }; })
    };
  };

  Editor.prototype.node = function (key) { return this.nodes.filter(function (n) { return n.key === key; })[0]; };
  Editor.prototype.typeName = function (id) { return this.types[id] ? this.types[id].name : "?"; };
  Editor.prototype.subtitle = function (n) {
    if (!n.device) return "any " + this.typeName(n.device_type);
    var name = this.deviceNames[n.device] || "device " + n.device;
    return name === n.key ? "pinned" : "pinned: " + name;
  };

  Editor.prototype.onChange = function (fn) { this.listeners.push(fn); };
  // A change of the composition: redraw, mark unsaved, and tell the listeners (resolve results
  // computed for the old composition are then out of date).
  Editor.prototype.changed = function (structural) {
    this.dirty = true;
    if (structural) this.relayout();
    this.render();
    this.setStatus("Unsaved changes.");
    var self = this;
    this.listeners.forEach(function (fn) { fn(self); });
  };

  Editor.prototype.relayout = function () {
    var pos = LC.layout(this.nodes, this.links);
    this.nodes.forEach(function (n) { if (pos[n.key]) { n.x = pos[n.key].x; n.y = pos[n.key].y; } });
  };

  Editor.prototype.announce = function (message) { $("#composer-live", this.root).textContent = message; };
  Editor.prototype.setStatus = function (message) { $("#save-status", this.root).textContent = message; };

  Editor.prototype.uniqueKey = function (base) {
    base = (base || "node").toLowerCase().replace(/[^a-z0-9]+/g, "").slice(0, 30) || "node";
    var keys = {}, i = 1;
    this.nodes.forEach(function (n) { keys[n.key.toLowerCase()] = true; });
    while (keys[base + i]) i++;
    return base + i;
  };

  Editor.prototype.addNode = function (typeId) {
    var key = this.uniqueKey(this.typeName(typeId));
    this.nodes.push({ key: key, device_type: typeId, device: null, site: null, tag: null, params: {}, notes: "", x: null, y: null, fixed: false });
    this.selected = { kind: "node", id: key };
    this.changed(true);
    this.renderProps();
    this.announce("Added node " + key + " (" + this.typeName(typeId) + ").");
    return key;
  };

  Editor.prototype.removeNode = function (key) {
    this.nodes = this.nodes.filter(function (n) { return n.key !== key; });
    var before = this.links.length;
    this.links = this.links.filter(function (l) { return l.a !== key && l.b !== key; });
    if (this.selected && (this.selected.kind === "link" || this.selected.id === key)) this.selected = null;
    this.changed(true);
    this.renderProps();
    this.announce("Deleted node " + key + (before > this.links.length ? " and its " + (before - this.links.length) + " link(s)" : "") + ".");
    var next = $("#diagram [data-node]", this.root) || $("#palette button", this.root);
    if (next) next.focus();
  };

  Editor.prototype.renameNode = function (oldKey, newKey) {
    newKey = (newKey || "").trim();
    if (newKey === oldKey) return null;
    if (!newKey || newKey.length > KEY_MAX) return "Give the node a name of 1 to " + KEY_MAX + " characters.";
    if (this.nodes.some(function (n) { return n.key.toLowerCase() === newKey.toLowerCase() && n.key !== oldKey; })) {
      return "Another node is already called “" + newKey + "”.";
    }
    this.node(oldKey).key = newKey;
    this.links.forEach(function (l) { if (l.a === oldKey) l.a = newKey; if (l.b === oldKey) l.b = newKey; });
    if (this.selected && this.selected.kind === "node" && this.selected.id === oldKey) this.selected.id = newKey;
    this.changed(false);
    this.announce("Renamed " + oldKey + " to " + newKey + ".");
    return null;
  };

  Editor.prototype.addLink = function (a, b) {
    if (!a || !b) return "Choose the two nodes to link.";
    if (a === b) return "A link joins two different nodes.";
    this.links.push({ a: a, b: b, fixed_only: false, notes: "" });
    this.selected = { kind: "link", id: this.links.length - 1 };
    this.changed(true);
    this.renderProps();
    this.announce("Linked " + a + " and " + b + ".");
    return null;
  };

  Editor.prototype.removeLink = function (index) {
    var link = this.links[index];
    this.links.splice(index, 1);
    this.selected = null;
    this.changed(true);
    this.renderProps();
    if (link) this.announce("Deleted the link " + link.a + "–" + link.b + ".");
  };

  Editor.prototype.moveNode = function (key, x, y, final) {
    var node = this.node(key);
    if (!node) return;
    if (x != null) { node.x = x; node.y = y; node.fixed = true; }
    this.renderDiagram();
    if (final) { this.dirty = true; this.setStatus("Unsaved changes."); }
  };

  Editor.prototype.select = function (kind, id) {
    this.selected = kind ? { kind: kind, id: id } : null;
    this.render();
    this.renderProps();
  };

  Editor.prototype.setDrawn = function (drawn) { this.drawn = drawn; this.renderDiagram(); this.renderProps(); };

  Editor.prototype.render = function () {
    this.renderDiagram();
    this.renderLists();
  };

  Editor.prototype.renderDiagram = function () {
    var self = this;
    this.diagram.render({
      nodes: this.nodes.map(function (n) { return { key: n.key, x: n.x, y: n.y, device: n.device, subtitle: self.subtitle(n), invalid: n.invalid }; }),
      links: this.links, selected: this.selected, drawn: this.drawn
    });
  };

  Editor.prototype.renderLists = function () {
    var self = this, nodeList = $("#node-list", this.root), linkList = $("#link-list", this.root);
    nodeList.textContent = "";
    this.nodes.forEach(function (n) {
      var current = self.selected && self.selected.kind === "node" && self.selected.id === n.key;
      var button = h("button", { type: "button", className: "link-button", "aria-pressed": current ? "true" : "false", "data-select-node": n.key, text: n.key });
      nodeList.appendChild(h("li", {}, [button, " ", h("span", { className: "muted", text: self.subtitle(n) })]));
    });
    linkList.textContent = "";
    this.links.forEach(function (l, i) {
      var current = self.selected && self.selected.kind === "link" && self.selected.id === i;
      var button = h("button", { type: "button", className: "link-button", "aria-pressed": current ? "true" : "false", "data-select-link": String(i), text: l.a + " – " + l.b });
      linkList.appendChild(h("li", {}, [button, l.fixed_only ? h("span", { className: "muted", text: " fixed only" }) : null]));
    });
    $("#node-count", this.root).textContent = String(this.nodes.length);
    $("#link-count", this.root).textContent = String(this.links.length);
    ["#link-a", "#link-b"].forEach(function (sel, i) {
      var select = $(sel, self.root), value = select.value;
      select.textContent = "";
      select.appendChild(h("option", { value: "", text: i ? "to…" : "from…" }));
      self.nodes.forEach(function (n) { select.appendChild(h("option", { value: n.key, text: n.key })); });
      select.value = self.node(value) ? value : "";
    });
  };

  Editor.prototype.validate = function () {
    var errors = [];
    if (!this.name.trim()) errors.push(["#topo-name", "Give the topology a name."]);
    return errors;
  };

  // Save on the server (create, then update). Resolves true when saved.
  Editor.prototype.save = function () {
    var self = this, name = $("#topo-name", this.root);
    LC.fieldError(name, null);
    var general = $("#save-errors", this.root);
    general.textContent = ""; general.hidden = true;
    var invalid = this.validate();
    if (invalid.length) {
      invalid.forEach(function (e) { LC.fieldError($(e[0], self.root), e[1]); });
      $(invalid[0][0], this.root).focus();
      this.setStatus("Not saved.");
      return Promise.resolve(false);
    }
    var url = this.id ? this.data.urls.api + this.id + "/" : this.data.urls.api;
    this.setStatus("Saving…");
    this.nodes.forEach(function (n) { n.invalid = false; });
    return LC.api(this.id ? "PUT" : "POST", url, this.toApi()).then(function (r) {
      if (r.status === 200 || r.status === 201) {
        var first = !self.id;
        self.id = r.data.id;
        self.dirty = false;
        self.setStatus("Saved.");
        if (first) {
          window.history.replaceState(null, "", self.data.urls.page_base + self.id + "/");
          var title = $("h1", self.root);
          if (title) title.textContent = "Topology #" + self.id;
          self.root.setAttribute("data-topology-id", String(self.id));
        }
        return true;
      }
      self.setStatus("Not saved.");
      var data = r.data || {}, messages = [];
      if (data.name) LC.fieldError(name, [].concat(data.name).join(" "));
      if (Array.isArray(data.errors)) {
        // The topology service names each bad node (by key) or link (by position).
        data.errors.forEach(function (e) {
          if (e.field === "name") { LC.fieldError(name, data.detail); return; }
          var node = e.node != null && (self.node(String(e.node)) || self.nodes[e.node]);
          if (node) node.invalid = true;
          messages.push(e.message || data.detail);
        });
        self.renderDiagram();
      } else {
        var rest = Object.assign({}, data);
        delete rest.name;
        messages = LC.errorMessages(rest);
      }
      messages = messages.filter(function (m, i) { return m && messages.indexOf(m) === i && m !== (name.getAttribute("aria-invalid") && data.detail); });
      if (messages.length) {
        general.appendChild(h("ul", {}, messages.map(function (m) { return h("li", { text: m }); })));
        general.hidden = false;
      }
      return false;
    });
  };

  Editor.prototype.bind = function () {
    var self = this, root = this.root;
    var name = $("#topo-name", root), description = $("#topo-description", root);
    name.value = this.name;
    description.value = this.description;
    name.addEventListener("input", function () { self.name = name.value; self.dirty = true; self.setStatus("Unsaved changes."); });
    description.addEventListener("input", function () { self.description = description.value; self.dirty = true; self.setStatus("Unsaved changes."); });
    $("#topo-form", root).addEventListener("submit", function (event) { event.preventDefault(); self.save(); });
    $("#palette", root).addEventListener("click", function (event) {
      var button = event.target.closest("button[data-type]");
      if (button) self.addNode(Number(button.getAttribute("data-type")));
    });
    $("#link-form", root).addEventListener("submit", function (event) {
      event.preventDefault();
      var a = $("#link-a", root), b = $("#link-b", root);
      var error = self.addLink(a.value, b.value);
      LC.fieldError(b, error);
      if (!error) { a.value = b.value; b.value = ""; b.focus(); }
    });
    $("#arrange", root).addEventListener("click", function () {
      self.nodes.forEach(function (n) { n.fixed = false; });
      self.relayout();
      self.dirty = true; self.setStatus("Unsaved changes.");
      self.render();
    });
    root.addEventListener("click", function (event) {
      var n = event.target.closest("[data-select-node]"), l = event.target.closest("[data-select-link]");
      if (n) self.select("node", n.getAttribute("data-select-node"));
      if (l) self.select("link", Number(l.getAttribute("data-select-link")));
    });
    // Escape clears the selection from anywhere in the diagram.
    $("#diagram", root).addEventListener("keydown", function (event) { if (event.key === "Escape") self.select(null); });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("composer"), source = document.getElementById("composer-data");
    if (!root || !source) return;
    LC.editor = new Editor(root, JSON.parse(source.textContent));
    LC.editor.renderProps();
    if (LC.initResolve) LC.initResolve(LC.editor);
  });
})(window.LabComposer = window.LabComposer || {});
