// Topology composer: the automatic layout and the SVG diagram (no library, no inline handlers).
// The layout is deterministic and recomputed on every change of nodes or links: rings on an
// ellipse, what hangs off them pointing outwards, chains left to right. Dragged nodes stay put.
(function (LC) {
  "use strict";
  var SVG_NS = "http://www.w3.org/2000/svg";
  var W = 840, H = 500, NODE_W = 136, NODE_H = 48, MARGIN = 14;
  LC.DIAGRAM = { W: W, H: H, NODE_W: NODE_W, NODE_H: NODE_H };

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  function adjacency(nodes, links) {
    var adj = {};
    nodes.forEach(function (n) { adj[n.key] = []; });
    links.forEach(function (l) {
      if (adj[l.a] && adj[l.b] && l.a !== l.b && adj[l.a].indexOf(l.b) < 0) { adj[l.a].push(l.b); adj[l.b].push(l.a); }
    });
    return adj;
  }

  function bfs(start, adj, allowed) {
    var depth = {}, parent = {}, order = [start];
    depth[start] = 0;
    for (var i = 0; i < order.length; i++) {
      adj[order[i]].forEach(function (k) {
        if (depth[k] === undefined && (!allowed || allowed[k])) { depth[k] = depth[order[i]] + 1; parent[k] = order[i]; order.push(k); }
      });
    }
    return { depth: depth, parent: parent, order: order };
  }

  // One connected component, in abstract units (1 = one node spacing), centred on 0, 0.
  // Rings (the graph's 2-core) go on an ellipse in walk order, with what hangs off them pointing
  // outwards; trees and chains are laid out left to right from one end of their longest path.
  function layoutComponent(keys, adj) {
    var pos = {}, inSet = {};
    keys.forEach(function (k) { inSet[k] = true; });
    if (keys.length === 1) { pos[keys[0]] = { x: 0, y: 0 }; return pos; }
    var degree = {}, queue = [], core = {};
    keys.forEach(function (k) { degree[k] = adj[k].length; core[k] = true; if (degree[k] <= 1) queue.push(k); });
    while (queue.length) {
      var leaf = queue.shift();
      if (!core[leaf]) continue;
      core[leaf] = false;
      adj[leaf].forEach(function (k) { if (core[k]) { degree[k]--; if (degree[k] === 1) queue.push(k); } });
    }
    var coreKeys = keys.filter(function (k) { return core[k]; });
    if (coreKeys.length) {
      // Walk the core depth first so a ring's nodes sit next to their neighbours.
      var seen = {}, ring = [], stack = [coreKeys[0]];
      while (stack.length) {
        var k = stack.pop();
        if (seen[k]) continue;
        seen[k] = true; ring.push(k);
        for (var i = adj[k].length - 1; i >= 0; i--) if (core[adj[k][i]] && !seen[adj[k][i]]) stack.push(adj[k][i]);
      }
      var n = ring.length, r = Math.max(1, n / (2 * Math.PI) * 1.15);
      ring.forEach(function (key, i) {
        var angle = -Math.PI / 2 + 2 * Math.PI * i / n;
        pos[key] = { x: r * 1.25 * Math.cos(angle), y: r * Math.sin(angle) };
      });
      var children = {};
      // Parents point towards the core: a BFS from all core nodes at once.
      var order = coreKeys.slice(), parent = {}, visited = {};
      coreKeys.forEach(function (k) { visited[k] = true; });
      for (var q = 0; q < order.length; q++) {
        adj[order[q]].forEach(function (k) { if (!visited[k]) { visited[k] = true; parent[k] = order[q]; order.push(k); (children[order[q]] = children[order[q]] || []).push(k); } });
      }
      order.forEach(function (key) {
        var kids = children[key] || [];
        if (!kids.length) return;
        var p = pos[key], from = parent[key] ? pos[parent[key]] : { x: 0, y: 0 };
        var base = Math.atan2(p.y - from.y, (p.x - from.x) / 1.25);
        if (!parent[key] && p.x === 0 && p.y === 0) base = Math.PI / 2;
        kids.forEach(function (kid, i) {
          var angle = base + (i - (kids.length - 1) / 2) * 0.7;
          pos[kid] = { x: p.x + 1.25 * Math.cos(angle), y: p.y + Math.sin(angle) };
        });
      });
      return pos;
    }
    // A tree: from one end of its longest path, depth along x, siblings spread along y.
    var far = bfs(keys[0], adj, inSet).order.slice(-1)[0];
    var t = bfs(far, adj, inSet), layers = {};
    t.order.forEach(function (k) { (layers[t.depth[k]] = layers[t.depth[k]] || []).push(k); });
    Object.keys(layers).forEach(function (d) {
      var layer = layers[d];
      layer.forEach(function (k, i) { pos[k] = { x: Number(d) * 1.6, y: (i - (layer.length - 1) / 2) * 1.1 }; });
    });
    var maxDepth = Object.keys(layers).length - 1;
    // A long plain chain zigzags, which leaves room beside each link for its label.
    if (maxDepth >= 3 && keys.length === maxDepth + 1) keys.forEach(function (k) { pos[k].y = (t.depth[k] % 2) * 1.3; });
    keys.forEach(function (k) { pos[k].x -= maxDepth * 0.8; });
    return pos;
  }

  // Positions {key: {x, y}} in the diagram's coordinates. Nodes that were dragged keep theirs.
  LC.layout = function (nodes, links) {
    var pos = {}, out = {};
    if (!nodes.length) return out;
    var adj = adjacency(nodes, links), done = {}, blocks = [];
    nodes.forEach(function (node) {
      if (done[node.key]) return;
      var keys = bfs(node.key, adj).order;
      keys.forEach(function (k) { done[k] = true; });
      var p = layoutComponent(keys, adj), box = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
      keys.forEach(function (k) { box.x0 = Math.min(box.x0, p[k].x); box.x1 = Math.max(box.x1, p[k].x); box.y0 = Math.min(box.y0, p[k].y); box.y1 = Math.max(box.y1, p[k].y); });
      blocks.push({ keys: keys, pos: p, box: box });
    });
    // Components side by side (single nodes share a row underneath), then scaled to fit.
    var x = 0, singles = blocks.filter(function (b) { return b.keys.length === 1; }), big = blocks.filter(function (b) { return b.keys.length > 1; });
    var yTop = 0, yBottom = 0;
    big.forEach(function (b) {
      b.keys.forEach(function (k) { pos[k] = { x: x + b.pos[k].x - b.box.x0, y: b.pos[k].y }; });
      yTop = Math.min(yTop, b.box.y0); yBottom = Math.max(yBottom, b.box.y1);
      x += b.box.x1 - b.box.x0 + 1.3;
    });
    var rowY = big.length ? yBottom + 1.1 : 0;
    singles.forEach(function (b, i) { pos[b.keys[0]] = { x: i * 1.2, y: rowY }; });
    var xs = [], ys = [];
    Object.keys(pos).forEach(function (k) { xs.push(pos[k].x); ys.push(pos[k].y); });
    var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs), minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
    var availW = W - NODE_W - 2 * MARGIN, availH = H - NODE_H - 2 * MARGIN;
    var sx = Math.min(190, maxX > minX ? availW / (maxX - minX) : 190), sy = Math.min(110, maxY > minY ? availH / (maxY - minY) : 110);
    var offX = W / 2 - (maxX + minX) / 2 * sx, offY = H / 2 - (maxY + minY) / 2 * sy;
    nodes.forEach(function (node) {
      out[node.key] = node.fixed && node.x != null ? { x: node.x, y: node.y, fixed: true }
        : { x: pos[node.key].x * sx + offX, y: pos[node.key].y * sy + offY };
    });
    // Push overlapping boxes apart a little (many nodes in a small diagram).
    var keys = nodes.map(function (n) { return n.key; });
    for (var it = 0; it < 40; it++) {
      var moved = false;
      for (var i = 0; i < keys.length; i++) {
        for (var j = i + 1; j < keys.length; j++) {
          var a = out[keys[i]], b = out[keys[j]];
          var ox = NODE_W + 8 - Math.abs(a.x - b.x), oy = NODE_H + 8 - Math.abs(a.y - b.y);
          if (ox <= 0 || oy <= 0) continue;
          moved = true;
          var sign = (ox < oy ? (a.x < b.x || (a.x === b.x && i < j)) : (a.y < b.y || (a.y === b.y && i < j))) ? -1 : 1;
          var share = a.fixed || b.fixed ? 1 : 0.5;
          if (ox < oy) { if (!a.fixed) a.x += sign * ox * share; if (!b.fixed) b.x -= sign * ox * share; }
          else { if (!a.fixed) a.y += sign * oy * share; if (!b.fixed) b.y -= sign * oy * share; }
        }
      }
      keys.forEach(function (k) {
        out[k].x = clamp(out[k].x, NODE_W / 2 + MARGIN / 2, W - NODE_W / 2 - MARGIN / 2);
        out[k].y = clamp(out[k].y, NODE_H / 2 + MARGIN / 2, H - NODE_H / 2 - MARGIN / 2);
      });
      if (!moved) break;
    }
    keys.forEach(function (k) { out[k].x = Math.round(out[k].x); out[k].y = Math.round(out[k].y); });
    return out;
  };

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attrs || {}).forEach(function (a) { node.setAttribute(a, attrs[a]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, content, cls) {
    var t = el("text", { x: x, y: y, "class": cls || "" }, parent);
    t.textContent = content;
    // SVG draws no text outside <text>, but a reader (and axe's label-in-name check) joins the texts of a
    // group: a space keeps "roadm1" and "any ROADM" two words.
    parent.appendChild(document.createTextNode(" "));
    return t;
  }

  function shorten(s, max) { s = String(s == null ? "" : s); return s.length > max ? s.slice(0, max - 1) + "…" : s; }
  // For an accessible name that starts with shortened text: the texts in full, when any was shortened.
  function unshortened(shown, full) {
    return shown.some(function (line, i) { return line !== String(full[i]); }) ? " (in full: " + full.join(", ") + ")" : "";
  }

  // The diagram: render(view) draws nodes and links; callbacks: select(kind, id), move(key, x, y),
  // remove(kind, id). view = {nodes, links, selected: {kind, id}, drawn: {nodes: {key: label},
  // links: {index: [line1, line2]}}}.
  LC.Diagram = function (svg, callbacks) {
    this.svg = svg;
    this.cb = callbacks;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    this.drag = null;
    var self = this;
    svg.addEventListener("pointermove", function (event) { self.onMove(event); });
    svg.addEventListener("pointerup", function (event) { self.onUp(event); });
    svg.addEventListener("pointercancel", function (event) { self.onUp(event); });
  };

  LC.Diagram.prototype.point = function (event) {
    var ctm = this.svg.getScreenCTM();
    if (!ctm) return { x: 0, y: 0 };
    var p = this.svg.createSVGPoint();
    p.x = event.clientX; p.y = event.clientY;
    var q = p.matrixTransform(ctm.inverse());
    return { x: q.x, y: q.y };
  };

  LC.Diagram.prototype.onMove = function (event) {
    if (!this.drag) return;
    var p = this.point(event);
    var x = clamp(Math.round(p.x - this.drag.dx), NODE_W / 2, W - NODE_W / 2);
    var y = clamp(Math.round(p.y - this.drag.dy), NODE_H / 2, H - NODE_H / 2);
    if (Math.abs(x - this.drag.x0) + Math.abs(y - this.drag.y0) > 3) this.drag.moved = true;
    if (this.drag.moved) this.cb.move(this.drag.key, x, y, false);
  };

  LC.Diagram.prototype.onUp = function () {
    if (!this.drag) return;
    var drag = this.drag;
    this.drag = null;
    if (drag.moved) this.cb.move(drag.key, null, null, true);
    else this.cb.select("node", drag.key);  // a press without a move is a click
  };

  LC.Diagram.prototype.render = function (view) {
    var svg = this.svg, self = this, active = document.activeElement, refocus = null;
    if (active && svg.contains(active)) {
      refocus = active.hasAttribute("data-node") ? ["node", active.getAttribute("data-node")] : ["link", Number(active.getAttribute("data-link"))];
    }
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var byKey = {};
    view.nodes.forEach(function (n) { byKey[n.key] = n; });
    var linkLayer = el("g", { "class": "links" }, svg);
    var nodeLayer = el("g", { "class": "nodes" }, svg);
    if (!view.nodes.length) {
      text(svg, W / 2, H / 2, "Add nodes from the palette to start drawing.", "empty-hint");
    }
    // Links sharing the same two nodes are drawn as parallel arcs so each stays visible.
    var pairCount = {}, pairSeen = {};
    view.links.forEach(function (l) { var p = [l.a, l.b].sort().join("\u0000"); pairCount[p] = (pairCount[p] || 0) + 1; });
    view.links.forEach(function (link, index) {
      var a = byKey[link.a], b = byKey[link.b];
      if (!a || !b || a.x == null || b.x == null) return;
      var pair = [link.a, link.b].sort().join("\u0000");
      var nth = pairSeen[pair] = (pairSeen[pair] || 0) + 1;
      var offset = (nth - (pairCount[pair] + 1) / 2) * 34;
      var mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2, dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) || 1;
      var nx = -dy / d, ny = dx / d, qx = mx + nx * offset * 2, qy = my + ny * offset * 2;
      var selected = view.selected && view.selected.kind === "link" && view.selected.id === index;
      var drawn = view.drawn && view.drawn.links && view.drawn.links[index];
      var cls = "link" + (link.fixed_only ? " fixed-only" : "") + (selected ? " selected" : "") + (drawn ? " mapped" : "");
      var lines = drawn ? drawn : (link.notes ? [link.notes] : []);
      if (link.fixed_only && !drawn) lines = ["fixed only"].concat(lines);
      var shown = lines.map(function (line) { return shorten(line, 40); });
      // The name holds the text drawn beside the line as drawn (WCAG 2.5.3), then what it shortened.
      var g = el("g", { "class": cls, tabindex: "0", role: "button", "data-link": String(index),
        "aria-label": "Link " + link.a + " to " + link.b + (shown.length ? ": " + shown.join(", ") : "") +
          (link.fixed_only && drawn ? " (fixed only)" : "") + unshortened(shown, lines) }, linkLayer);
      el("path", { d: "M" + a.x + " " + a.y + " Q" + qx + " " + qy + " " + b.x + " " + b.y, "class": "link-hit" }, g);
      el("path", { d: "M" + a.x + " " + a.y + " Q" + qx + " " + qy + " " + b.x + " " + b.y, "class": "link-line" }, g);
      var lx = (a.x + 2 * qx + b.x) / 4, ly = (a.y + 2 * qy + b.y) / 4;
      // Labels sit beside the line, not on it: above a flat line, right of a steep one.
      var flat = Math.abs(b.x - a.x) >= Math.abs(b.y - a.y), side = flat ? "link-label" : "link-label side";
      shown.forEach(function (line, i) {
        var y = flat ? ly - 7 - (shown.length - 1 - i) * 13 : ly + (i - (shown.length - 1) / 2) * 13 + 4;
        text(g, flat ? lx : lx + 8, y, line, side);
      });
      g.addEventListener("click", function () { self.cb.select("link", index); });
      g.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); self.cb.select("link", index); }
        if (event.key === "Delete" || event.key === "Backspace") { event.preventDefault(); self.cb.remove("link", index); }
      });
    });
    view.nodes.forEach(function (node) {
      if (node.x == null) return;
      var selected = view.selected && view.selected.kind === "node" && view.selected.id === node.key;
      var mapped = view.drawn && view.drawn.nodes && view.drawn.nodes[node.key];
      var cls = "node" + (selected ? " selected" : "") + (mapped ? " mapped" : "") + (node.device ? " pinned" : "") + (node.invalid ? " invalid" : "");
      var full = [node.key, mapped || node.subtitle], shownNode = [shorten(full[0], 20), shorten(full[1], 22)];
      var g = el("g", { "class": cls, tabindex: "0", role: "button", "data-node": node.key,
        transform: "translate(" + (node.x - NODE_W / 2) + " " + (node.y - NODE_H / 2) + ")",
        "aria-label": shownNode.join(", ") + (mapped ? " (" + node.subtitle + ")" : "") + unshortened(shownNode, full) +
          ". Node: arrow keys move it, Delete removes it." }, nodeLayer);
      el("rect", { width: NODE_W, height: NODE_H, rx: 8, ry: 8, "class": "node-box" }, g);
      text(g, NODE_W / 2, 20, shownNode[0], "node-key");
      text(g, NODE_W / 2, 38, shownNode[1], mapped ? "node-device" : "node-type");
      g.addEventListener("pointerdown", function (event) {
        if (event.button !== 0) return;
        var p = self.point(event);
        self.drag = { key: node.key, dx: p.x - node.x, dy: p.y - node.y, x0: node.x, y0: node.y, moved: false };
        if (svg.setPointerCapture && event.pointerId != null) { try { svg.setPointerCapture(event.pointerId); } catch (e) { /* not capturable */ } }
      });
      g.addEventListener("keydown", function (event) {
        var step = event.shiftKey ? 40 : 10, moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        if (moves[event.key]) {
          event.preventDefault();
          self.cb.move(node.key, clamp(node.x + moves[event.key][0], NODE_W / 2, W - NODE_W / 2),
            clamp(node.y + moves[event.key][1], NODE_H / 2, H - NODE_H / 2), true);
        } else if (event.key === "Enter" || event.key === " ") {
          event.preventDefault(); self.cb.select("node", node.key);
        } else if (event.key === "Delete" || event.key === "Backspace") {
          event.preventDefault(); self.cb.remove("node", node.key);
        }
      });
    });
    if (refocus) this.focus(refocus[0], refocus[1]);
  };

  LC.Diagram.prototype.focus = function (kind, id) {
    var target = this.svg.querySelector(kind === "node" ? '[data-node="' + CSS.escape(String(id)) + '"]' : '[data-link="' + id + '"]');
    if (target) target.focus();
  };
})(window.LabComposer = window.LabComposer || {});
