// Topology composer: where and when. Resolve a window or ask for the earliest one, show up to 5
// options as cards, draw the chosen one on the diagram, per-node alternatives and override, book.
// Every rule is the server's: this file only calls resolve/, earliest/ and book/ and shows answers.
(function (LC) {
  "use strict";
  var h, editor, data, zone;
  var state = { mappings: [], chosen: -1, window: null, windows: [], version: 0 };

  function $(sel) { return document.querySelector(sel); }
  function idOf(x) { return x && typeof x === "object" ? x.id : x; }

  LC.formatTime = function (iso) {
    var d = new Date(iso);
    if (isNaN(d)) return String(iso);
    return new Intl.DateTimeFormat("en-IE", { timeZone: zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);
  };
  function formatWindow(w) {
    var end = LC.formatTime(w.end), start = LC.formatTime(w.start);
    var sameDay = start.slice(0, start.lastIndexOf(" ")) === end.slice(0, end.lastIndexOf(" "));
    return start + " – " + (sameDay ? end.slice(end.lastIndexOf(" ") + 1) : end);
  }

  // Names of devices, ports and switches as the API gives them (nested objects) or cached by id.
  var names = { device: {}, port: {}, switch: {} };
  function remember(kind, x) { if (x && typeof x === "object" && x.id != null) names[kind][x.id] = x.name || x.label || String(x.id); }
  function nameOf(kind, x) {
    if (x == null) return "";
    if (typeof x === "object") return x.name || x.label || names[kind][x.id] || "#" + x.id;
    return names[kind][x] || (kind === "device" && editor.deviceNames[x]) || (kind === "switch" && editor.switchNames[x]) || "#" + x;
  }
  // Mappings carry ids with a few names beside them (device_name, port_names): keep those names.
  function learn(mapping) {
    (mapping.nodes || []).forEach(function (n) {
      remember("device", n.device);
      if (n.device_name && typeof n.device !== "object") names.device[n.device] = n.device_name;
      (n.alternative_names || []).forEach(function (name, i) { if (name && n.alternatives && n.alternatives[i] != null) names.device[idOf(n.alternatives[i])] = name; });
      (n.alternatives || []).forEach(function (a) { remember("device", a && a.device !== undefined ? a.device : a); });
    });
    (mapping.links || []).forEach(function (l) {
      (l.ports || []).forEach(function (p, i) {
        remember("port", p);
        if (l.port_names && l.port_names[i] && typeof p !== "object") names.port[p] = l.port_names[i];
      });
      remember("switch", l.switch);
      if (l.switch_name && l.switch != null && typeof l.switch !== "object") names.switch[l.switch] = l.switch_name;
    });
  }

  function setStatus(message) { $("#resolve-status").textContent = message; }
  function clearResults(message) {
    state.mappings = []; state.chosen = -1;
    $("#mappings").textContent = "";
    $("#mappings").removeAttribute("data-resolve-ms");
    $("#infeasible").hidden = true; $("#infeasible").textContent = "";
    $("#book-panel").hidden = true;
    editor.setDrawn(null);
    setStatus(message || "");
  }

  // Which of the composition's links a mapping's link realises (same ends; each used once).
  function linkIndexes(mapping) {
    var used = {}, out = {};
    (mapping.links || []).forEach(function (ml, j) {
      for (var i = 0; i < editor.links.length; i++) {
        var l = editor.links[i];
        if (used[i]) continue;
        if ((l.a === ml.a && l.b === ml.b) || (l.a === ml.b && l.b === ml.a)) { used[i] = true; out[i] = j; return; }
      }
    });
    return out;
  }

  LC.linkLines = function (ml) {
    var ports = (ml.ports || []).map(function (p) { return nameOf("port", p); });
    var lines = [ports.join(" ↔ ")];
    if (ml.switch != null) {
      var xc = (ml.cross_connects || []).map(function (c) { return c[0] + "→" + c[1]; }).join(", ");
      lines.push(nameOf("switch", ml.switch) + (xc ? " " + xc : ""));
    } else if (ml.link != null) {
      lines.push("fixed link " + (typeof ml.link === "object" ? (ml.link.name || "#" + ml.link.id) : "#" + ml.link));
    }
    return lines;
  };

  function drawnView(mapping) {
    var view = { nodes: {}, links: {} };
    (mapping.nodes || []).forEach(function (n) { view.nodes[n.key] = nameOf("device", n.device); });
    var idx = linkIndexes(mapping);
    Object.keys(idx).forEach(function (i) { view.links[i] = LC.linkLines(mapping.links[idx[i]]); });
    return view;
  }

  function scoreText(value) { return typeof value === "number" ? (Math.round(value * 100) / 100).toString() : String(value); }

  function renderCards() {
    var box = $("#mappings");
    box.textContent = "";
    state.mappings.forEach(function (m, i) {
      var parts = m.score_parts || {};
      var list = h("dl", { className: "score-parts" });
      Object.keys(parts).forEach(function (name) {
        var v = parts[name];
        var meter = typeof v === "number" && v >= 0 && v <= 1 ? h("meter", { min: "0", max: "1", value: String(v), "aria-hidden": "true" }) : null;
        list.appendChild(h("div", {}, [h("dt", { text: name.replace(/_/g, " ") }), h("dd", {}, [scoreText(v), " ", meter])]));
      });
      var devices = (m.nodes || []).map(function (n) { return n.key + " → " + nameOf("device", n.device); }).join(", ");
      var chosen = i === state.chosen;
      var button = h("button", { type: "button", className: chosen ? "" : "secondary", "aria-pressed": chosen ? "true" : "false", "data-choose": String(i), text: chosen ? "Chosen: option " + (i + 1) : "Choose option " + (i + 1) });
      var card = h("article", { className: "mapping-card" + (chosen ? " chosen" : ""), "data-option": String(i), "aria-labelledby": "option-title-" + i }, [
        h("h3", { id: "option-title-" + i }, ["Option " + (i + 1), h("span", { className: "score", text: " score " + scoreText(m.score) })]),
        state.window ? h("p", { className: "muted", text: formatWindow(state.window) }) : null,
        list,
        h("p", { className: "devices", text: devices }),
        button
      ]);
      box.appendChild(card);
    });
  }

  function choose(i) {
    state.chosen = i;
    var mapping = state.mappings[i];
    renderCards();
    editor.setDrawn(drawnView(mapping));
    $("#book-panel").hidden = false;
    $("#book-summary").textContent = "Option " + (i + 1) + ", " + formatWindow(state.window) + ": " +
      (mapping.nodes || []).map(function (n) { return nameOf("device", n.device); }).join(", ") + ".";
    LC.announce("Option " + (i + 1) + " drawn on the diagram.");
  }

  function showInfeasible(reasons, intro) {
    var box = $("#infeasible");
    box.textContent = "";
    box.appendChild(h("p", { text: intro }));
    box.appendChild(h("ul", {}, (reasons || []).map(function (r) {
      return h("li", { text: (r.node ? "Node " + r.node + ": " : "") + (r.message || r.code) });
    })));
    box.hidden = false;
  }

  function topologyUrl(action) { return data.urls.api + editor.id + "/" + action + "/"; }

  // Resolve one window; `then` runs after the cards are drawn (used to keep a choice or chain).
  function resolveWindow(start, end, k, started) {
    setStatus("Resolving " + formatWindow({ start: start, end: end }) + "…");
    return LC.api("POST", topologyUrl("resolve"), { start: start, end: end, k: k }).then(function (r) {
      if (r.status !== 200) { setStatus(""); showInfeasible([], "Resolve failed: " + LC.errorMessages(r.data).join(" ")); return false; }
      state.window = { start: r.data.start || start, end: r.data.end || end };
      if (!r.data.feasible || !(r.data.mappings || []).length) {
        state.mappings = []; renderCards();
        showInfeasible(r.data.reasons, "Nothing fits " + formatWindow(state.window) + ":");
        setStatus("No option fits this window.");
        return earliestAfter(start, end);
      }
      state.mappings = r.data.mappings;
      state.version += 1;
      state.mappings.forEach(learn);
      renderCards();
      choose(0);
      var ms = Math.round(performance.now() - started);
      $("#mappings").setAttribute("data-resolve-ms", String(ms));
      setStatus(state.mappings.length + " option(s) for " + formatWindow(state.window) + ", best first (" + ms + " ms).");
      return true;
    });
  }

  // When a window does not fit: the earliest time the same duration would.
  function earliestAfter(start, end) {
    var minutes = Math.round((new Date(end) - new Date(start)) / 60000);
    if (!(minutes > 0)) return Promise.resolve(false);
    return LC.api("POST", topologyUrl("earliest"), { duration: minutes, after: start, k: 1 }).then(function (r) {
      var box = $("#infeasible");
      var w = r.status === 200 && r.data.windows && r.data.windows[0];
      if (w) {
        var use = h("button", { type: "button", id: "use-earliest", text: "Use " + formatWindow(w) });
        use.addEventListener("click", function () { setWindowInputs(w); resolveWindow(w.start, w.end, Number($("#options").value), performance.now()); });
        box.appendChild(h("p", { id: "fits-at" }, ["It would fit from ", h("strong", { text: formatWindow(w) }), ". ", use]));
      } else {
        box.appendChild(h("p", { id: "fits-at", text: "It does not fit at any time within the booking horizon." }));
      }
      return false;
    });
  }

  function toLocalInput(iso) {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
  }
  function setWindowInputs(w) {
    $("#mode-window").checked = true; syncMode();
    $("#start").value = toLocalInput(w.start);
    $("#end").value = toLocalInput(w.end);
  }

  function renderWindows(windows) {
    var box = $("#windows");
    box.textContent = "";
    if (!windows.length) { box.hidden = true; return; }
    box.appendChild(h("p", {}, ["Earliest: ", h("strong", { id: "earliest-window", text: formatWindow(windows[0]) }), "."]));
    if (windows.length > 1) {
      var later = h("ul", { className: "inline-list" });
      windows.slice(1).forEach(function (w) {
        var b = h("button", { type: "button", className: "link-button", text: formatWindow(w) });
        b.addEventListener("click", function () { clearResults(); renderWindows(windows); resolveWindow(w.start, w.end, Number($("#options").value), performance.now()); });
        later.appendChild(h("li", {}, [b]));
      });
      box.appendChild(h("p", { className: "muted", text: "Also possible:" }));
      box.appendChild(later);
    }
    box.hidden = false;
  }

  function syncMode() {
    var earliest = $("#mode-earliest").checked;
    $("#earliest-fields").hidden = !earliest;
    $("#window-fields").hidden = earliest;
  }

  function run() {
    var started = performance.now(), k = Number($("#options").value) || 5;
    var earliest = $("#mode-earliest").checked;
    ["#duration-hours", "#after", "#start", "#end"].forEach(function (s) { LC.fieldError($(s), null); });
    var hours = Number($("#duration-hours").value), start = $("#start").value, end = $("#end").value, after = $("#after").value;
    if (earliest && !(hours > 0)) { LC.fieldError($("#duration-hours"), "Give a duration in hours, e.g. 4 or 2.5."); $("#duration-hours").focus(); return; }
    if (!earliest) {
      if (!start) { LC.fieldError($("#start"), "Choose when it starts."); $("#start").focus(); return; }
      if (!end) { LC.fieldError($("#end"), "Choose when it ends."); $("#end").focus(); return; }
      if (end <= start) { LC.fieldError($("#end"), "The end must be after the start."); $("#end").focus(); return; }
    }
    if (!editor.nodes.length) { clearResults("Add at least one node before resolving."); return; }
    clearResults("Saving the topology…");
    $("#windows").hidden = true;
    var saving = editor.dirty || !editor.id ? editor.save() : Promise.resolve(true);
    saving.then(function (saved) {
      if (!saved) { setStatus("Fix the errors above, then resolve again."); return; }
      if (!earliest) return resolveWindow(start, end, k, started);
      setStatus("Looking for the earliest window…");
      var body = { duration: Math.round(hours * 60), k: 5 };
      if (after) body.after = after;
      return LC.api("POST", topologyUrl("earliest"), body).then(function (r) {
        if (r.status !== 200) { LC.fieldError($("#duration-hours"), LC.errorMessages(r.data).join(" ")); setStatus(""); return; }
        state.windows = r.data.windows || [];
        if (!state.windows.length) {
          showInfeasible(r.data.reasons, "It does not fit at any time within the booking horizon:");
          setStatus("No window found.");
          return;
        }
        renderWindows(state.windows);
        return resolveWindow(state.windows[0].start, state.windows[0].end, k, started);
      });
    });
  }

  // Per node: its device in the chosen option, the alternatives with why, and an override that
  // the server re-validates against the whole mapping before it is shown.
  LC.renderNodeMapping = function (panel, key) {
    var mapping = state.mappings[state.chosen];
    if (!mapping) return;
    var node = (mapping.nodes || []).filter(function (n) { return n.key === key; })[0];
    if (!node) return;
    var box = h("div", { className: "node-mapping", id: "node-mapping" }, [
      h("h3", { text: "In option " + (state.chosen + 1) }),
      h("p", {}, ["Device: ", h("strong", { id: "mapped-device", text: nameOf("device", node.device) })])
    ]);
    var alternatives = node.alternatives || [];
    if (alternatives.length) {
      box.appendChild(h("p", { text: "Alternatives:" }));
      box.appendChild(h("ul", { className: "alternatives" }, alternatives.map(function (alt) {
        var device = alt && alt.device !== undefined ? alt.device : alt;
        var why = (node.reasons && node.reasons[idOf(device)]) || (alt && (alt.reason || alt.why)) || "";
        var use = h("button", { type: "button", className: "secondary", "data-override": String(idOf(device)), text: "Use " + nameOf("device", device) });
        use.addEventListener("click", function () { override(key, idOf(device), use); });
        var cached = reasonCache[reasonKey(key, idOf(device))];
        return h("li", {}, [use, h("span", { className: "muted alt-reason", "data-reason-for": String(idOf(device)), text: " " + (cached || why || "checking…") })]);
      })));
      explainAlternatives(box, key, node, alternatives.map(function (alt) { return idOf(alt && alt.device !== undefined ? alt.device : alt); }));
    } else {
      box.appendChild(h("p", { className: "muted", text: "No other device keeps this option valid." }));
    }
    box.appendChild(h("p", { className: "form-error", id: "override-error", role: "alert", hidden: true }));
    panel.appendChild(box);
  };

  // Why each alternative ranks above or below the current device: asked of the server once per
  // option and node (it re-checks the whole option with each alternative).
  var reasonCache = {};
  function reasonKey(key, device) { return state.chosen + "|" + state.version + "|" + key + "|" + device; }
  function explainAlternatives(box, key, node, devices) {
    var missing = devices.filter(function (d) { return !reasonCache[reasonKey(key, d)]; });
    if (!missing.length) return;
    var mapping = state.mappings[state.chosen];
    LC.api("POST", data.urls.page_base + editor.id + "/alternatives/", {
      start: state.window.start, end: state.window.end, node: key, alternatives: missing,
      mapping: { nodes: mapping.nodes.map(function (n) { return { key: n.key, device: idOf(n.device) }; }) }
    }).then(function (r) {
      var rows = (r.status === 200 && r.data.alternatives) || [];
      rows.forEach(function (row) {
        reasonCache[reasonKey(key, row.device)] = row.reason;
        var span = box.querySelector('[data-reason-for="' + row.device + '"]');
        if (span) span.textContent = " " + row.reason;
        if (!row.feasible) { var b = box.querySelector('[data-override="' + row.device + '"]'); if (b) b.disabled = true; }
      });
      if (r.status !== 200) box.querySelectorAll(".alt-reason").forEach(function (span) { span.textContent = ""; });
    });
  }

  LC.renderLinkMapping = function (panel, index) {
    var mapping = state.mappings[state.chosen];
    if (!mapping) return;
    var j = linkIndexes(mapping)[index];
    if (j === undefined) return;
    panel.appendChild(h("div", { className: "node-mapping" }, [h("h3", { text: "In option " + (state.chosen + 1) }),
      h("ul", {}, LC.linkLines(mapping.links[j]).map(function (line) { return h("li", { text: line }); }))]));
  };

  function override(key, device, button) {
    var mapping = state.mappings[state.chosen];
    button.disabled = true;
    var error = $("#override-error");
    var body = { start: state.window.start, end: state.window.end, node: key, device: device,
      mapping: { nodes: mapping.nodes.map(function (n) { return { key: n.key, device: idOf(n.device) }; }) } };
    LC.api("POST", data.urls.page_base + editor.id + "/override/", body).then(function (r) {
      button.disabled = false;
      var fresh = r.status === 200 && r.data.feasible && r.data.mappings && r.data.mappings[0];
      if (!fresh) {
        var why = r.status === 200 ? (r.data.reasons || []).map(function (x) { return x.message || x.code; }).join(" ") : LC.errorMessages(r.data).join(" ");
        error.textContent = "Not accepted: " + (why || "the mapping would no longer be valid.");
        error.hidden = false;
        return;
      }
      learn(fresh);
      // Every node is pinned in the re-check, so it names no alternatives: keep the earlier ones
      // (each is checked again when used), with the device just replaced offered back.
      var before = {};
      mapping.nodes.forEach(function (n) { before[n.key] = n; });
      fresh.nodes.forEach(function (n) {
        var old = before[n.key], alts = ((old && old.alternatives) || []).map(idOf);
        if (n.key === key && old) alts = [idOf(old.device)].concat(alts);
        n.alternatives = alts.filter(function (d) { return d !== idOf(n.device) && d !== device; }).slice(0, 3);
      });
      state.version = (state.version || 0) + 1;
      state.mappings[state.chosen] = fresh;
      choose(state.chosen);
      editor.select("node", key);
      LC.announce("Node " + key + " now uses " + nameOf("device", device) + "; the whole option was checked again.");
    });
  }

  function book(event) {
    event.preventDefault();
    var mapping = state.mappings[state.chosen], errors = $("#book-errors"), button = $("#book");
    if (!mapping) return;
    errors.hidden = true; errors.textContent = "";
    LC.fieldError($("#collaborators"), null);
    var collaborators = $("#collaborators").value.split(/[\s,]+/).filter(Boolean);
    button.disabled = true;
    var saving = editor.dirty ? editor.save() : Promise.resolve(true);
    saving.then(function (saved) {
      if (!saved) { button.disabled = false; return; }
      var body = { start: state.window.start, end: state.window.end, mapping: mapping, collaborators: collaborators, message: $("#message").value };
      return LC.api("POST", topologyUrl("book"), body).then(function (r) {
        button.disabled = false;
        if (r.status === 201) {
          var group = r.data.id != null ? r.data.id : (r.data.group && idOf(r.data.group));
          window.location.assign(data.urls.wiring_page + group + "/wiring/");
          return;
        }
        if (r.status === 400 && r.data && r.data.collaborators) {
          LC.fieldError($("#collaborators"), [].concat(r.data.collaborators).join(" "));
          $("#collaborators").focus();
          return;
        }
        errors.appendChild(h("p", { text: r.status === 409 ? "Not booked: the lab changed since this option was computed." : "Not booked." }));
        errors.appendChild(h("ul", {}, LC.errorMessages(r.data).map(function (m) { return h("li", { text: m }); })));
        errors.hidden = false;
        if (r.status === 409) {
          // A fresh resolve of the same window; the composition stays as it is.
          var keep = state.window, k = Number($("#options").value) || 5;
          state.mappings = []; renderCards(); editor.setDrawn(null);
          errors.appendChild(h("p", { id: "fresh-options", text: "Fresh options for the same window are shown above." }));
          resolveWindow(keep.start, keep.end, k, performance.now()).then(function () { $("#book-panel").hidden = !state.mappings.length; });
        }
      });
    });
  }

  LC.initResolve = function (ed) {
    editor = ed; data = ed.data; zone = data.lab_zone; h = LC.h;
    LC.announce = function (m) { ed.announce(m); };
    $("#resolve-form").addEventListener("submit", function (event) { event.preventDefault(); run(); });
    $("#mode-earliest").addEventListener("change", syncMode);
    $("#mode-window").addEventListener("change", syncMode);
    syncMode();
    $("#mappings").addEventListener("click", function (event) {
      var b = event.target.closest("[data-choose]");
      if (b) choose(Number(b.getAttribute("data-choose")));
    });
    $("#book-form").addEventListener("submit", book);
    ed.onChange(function () {
      if (state.mappings.length) clearResults("The topology changed; resolve again to see options.");
    });
  };
})(window.LabComposer = window.LabComposer || {});
