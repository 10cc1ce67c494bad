// map.js - the dashboard's message map: roles as nodes, every declared route as a curved
// edge with its label (names, counters), drawn once per change of the graph; then only the
// counters of the edges that changed are rewritten, and messages flash their edge.
import { s, count } from "./dom.js";

export const COUNTERS = ["delivered", "denied", "no_receiver", "dropped"];

const MAP_W = 1000, MAP_H = 600, NODE_W = 150, NODE_H = 54;
let layout = null;             // {parts: Map edge id -> its elements and geometry, dots}
let ctx = null;                // what drawMap() was given: {units, colorOf}

// Roles on an arc from the left over the top to the right (frontends first), leaving the
// bottom to the node "exo" where refused messages end; many roles: a full ellipse.
function placeNodes(nodes) {
  const order = { frontend: 0, service: 1, resource: 2 };
  const roles = nodes.filter((n) => n.kind !== "exo")
    .sort((a, b) => (order[a.kind] ?? 1) - (order[b.kind] ?? 1));
  const pos = new Map();
  const cx = MAP_W / 2, rx = MAP_W / 2 - NODE_W / 2 - 30;
  const full = roles.length > 6;
  const cy = full ? MAP_H / 2 : MAP_H * 0.56, ry = full ? MAP_H / 2 - 60 : MAP_H * 0.42;
  roles.forEach((n, i) => {
    const k = roles.length;
    const a = full ? Math.PI + (i * 2 * Math.PI) / k :
      k === 1 ? 1.5 * Math.PI : Math.PI + (i * Math.PI) / (k - 1);
    pos.set(n.id, { x: cx + rx * Math.cos(a), y: cy + ry * Math.sin(a) });
  });
  for (const n of nodes) if (n.kind === "exo") pos.set(n.id, { x: cx, y: full ? cy : MAP_H - 50 });
  return pos;
}

// Where a line from the centre of a node towards (dx, dy) leaves its box (an ellipse will do).
function rim(p, dx, dy) {
  const len = Math.hypot(dx, dy) || 1;
  const rx = NODE_W / 2 + 6, ry = NODE_H / 2 + 6;
  const t = 1 / Math.hypot(dx / len / rx, dy / len / ry);
  return { x: p.x + (dx / len) * t, y: p.y + (dy / len) * t };
}

const bez = (a, c, b, t) => ({
  x: (1 - t) ** 2 * a.x + 2 * (1 - t) * t * c.x + t * t * b.x,
  y: (1 - t) ** 2 * a.y + 2 * (1 - t) * t * c.y + t * t * b.y,
});

// One quadratic curve per edge; the edges between two roles fan out, each direction on its
// own side, so that every declared edge stays visible.
function edgeGeometry(pos, edges) {
  const groups = new Map();
  for (const e of edges) {
    const k = `${e.from}>${e.to}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(e);
  }
  const geo = new Map();
  for (const [k, list] of groups) {
    const [from, to] = k.split(">");
    const a = pos.get(from), b = pos.get(to);
    if (!a || !b) continue;
    const both = groups.has(`${to}>${from}`);
    const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
    const nx = -dy / len, ny = dx / len;
    const step = Math.max(34, Math.min(70, 260 / list.length));
    list.forEach((e, i) => {
      const off = both ? (i + 0.7) * step : (i - (list.length - 1) / 2) * step;
      const c = { x: (a.x + b.x) / 2 + nx * off * 2, y: (a.y + b.y) / 2 + ny * off * 2 };
      const p0 = rim(a, c.x - a.x, c.y - a.y), p1 = rim(b, c.x - b.x, c.y - b.y);
      geo.set(e.id, { p0, c, p1, d: `M${p0.x.toFixed(1)},${p0.y.toFixed(1)} Q${c.x.toFixed(1)},${c.y.toFixed(1)} ${p1.x.toFixed(1)},${p1.y.toFixed(1)}` });
    });
  }
  return geo;
}

export function edgeLabelText(e) {
  return e.internal_name && e.internal_name !== e.name ? `${e.name} → ${e.internal_name}` : e.name;
}

function edgeBad(e) {
  return (e.denied || 0) + (e.no_receiver || 0) + (e.dropped || 0);
}

function countsText(e) {
  const parts = e.delivered || !edgeBad(e) ? [`✓ ${count(e.delivered)}`] : [];
  if (e.denied) parts.push(`denied ${count(e.denied)}`);
  if (e.no_receiver) parts.push(`no receiver ${count(e.no_receiver)}`);
  if (e.dropped) parts.push(`dropped ${count(e.dropped)}`);
  return parts.join("  ·  ");
}

function drawNode(svg, n, p) {
  const u = ctx.units.get(n.id);
  const g = s("g", { class: `node kind-${n.kind}`, "data-node": n.id, transform: `translate(${p.x},${p.y})` });
  if (u) g.dataset.state = u.state;
  g.append(s("rect", { x: -NODE_W / 2, y: -NODE_H / 2, width: NODE_W, height: NODE_H, rx: n.kind === "exo" ? 27 : 10 }));
  const name = s("text", { class: `nname c${n.kind === "exo" ? 1 : ctx.colorOf(n.id)}`, y: -3, "text-anchor": "middle" });
  name.textContent = n.id;
  const sub = s("text", { class: "nsub", y: 15, "text-anchor": "middle" });
  sub.textContent = n.kind === "exo" ? "refused & undeliverable" : `${n.kind}${u ? ` · ${u.state}` : ""}`;
  if (u) g.append(s("circle", { class: `dot st-${u.state}`, cx: -NODE_W / 2 + 13, cy: -NODE_H / 2 + 13, r: 4.5 }));
  g.append(name, sub);
  svg.append(g);
}

function boxesOverlap(a, b) {
  return a.x < b.x + b.w + 4 && b.x < a.x + a.w + 4 && a.y < b.y + b.h + 3 && b.y < a.y + a.h + 3;
}

// A label sits on its curve; it slides along it until it covers no other label or node.
function placeLabel(g, geo, taken) {
  const w = Math.max(g.dataset.w1, g.dataset.w2) * 1 + 18, hgt = 38;
  for (const t of [0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8, 0.5]) {
    const p = bez(geo.p0, geo.c, geo.p1, t);
    const box = { x: p.x - w / 2, y: p.y - hgt / 2, w, h: hgt };
    if (t === 0.5 && taken.length === 0) { taken.push(box); return box; }
    if (!taken.some((b) => boxesOverlap(b, box))) { taken.push(box); return box; }
  }
  const p = bez(geo.p0, geo.c, geo.p1, 0.5);
  const box = { x: p.x - w / 2, y: p.y - hgt / 2, w, h: hgt };
  taken.push(box);
  return box;
}

function drawEdge(svg, labels, e, geo) {
  const g = s("g", { class: "edge", "data-edge": e.id, "data-from": e.from, "data-to": e.to, "data-name": e.name });
  const path = s("path", { class: "line", d: geo.d, "marker-end": "url(#arrow)" });
  const hit = s("path", { class: "hit", d: geo.d });
  const title = s("title");
  g.append(hit, path, title);
  svg.append(g);
  const lg = s("g", { class: "elabel", "data-edge-label": e.id });
  lg.append(s("rect", { rx: 6 }), s("text", { class: "l1", "text-anchor": "middle" }),
    s("text", { class: "l2", "text-anchor": "middle" }));
  labels.append(lg);
  return { g, path, title, lg };
}

// Draw the whole map into @svg, and prepare @dots (an SVG laid over it, a layer of its own, so
// that the moving dots repaint only themselves): @nodes [{id, kind}], @edges (EDGE objects, updated in place
// later through updateEdge), @units (name -> UNIT) for the nodes' states, @colorOf(role) the
// role's ANSI colour. Must be on screen: the labels are measured.
export function drawMap(svg, dots, { nodes, edges, units, colorOf }) {
  ctx = { units, colorOf };
  svg.setAttribute("viewBox", `0 0 ${MAP_W} ${MAP_H}`);
  const defs = s("defs");
  for (const [id, cls] of [["arrow", "ok"], ["arrow-bad", "bad"], ["arrow-idle", "idle"]]) {
    // (in user units: a flashing, wider line keeps its arrowhead)
    const m = s("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 13, markerHeight: 13,
      markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" });
    const p = s("path", { d: "M0,0 L10,5 L0,10 z", class: `arrowhead ${cls}` });
    m.append(p);
    defs.append(m);
  }
  const edgesG = s("g", { class: "edges" }), nodesG = s("g", { class: "nodes" });
  const labelsG = s("g", { class: "labels" });
  svg.replaceChildren(defs, edgesG, nodesG, labelsG);
  dots.replaceChildren();
  const pos = placeNodes(nodes);
  const geo = edgeGeometry(pos, edges);
  const parts = new Map();
  for (const e of edges) {
    if (geo.has(e.id)) parts.set(e.id, { ...drawEdge(edgesG, labelsG, e, geo.get(e.id)), geo: geo.get(e.id) });
  }
  for (const n of nodes) if (pos.has(n.id)) drawNode(nodesG, n, pos.get(n.id));
  layout = { parts, dots };
  for (const e of edges) if (parts.has(e.id)) updateEdge(e);
  // Labels are placed once their texts are measured.
  const taken = [...pos.values()].map((p) => ({ x: p.x - NODE_W / 2, y: p.y - NODE_H / 2, w: NODE_W, h: NODE_H }));
  for (const e of edges) if (parts.has(e.id)) positionLabel(parts.get(e.id), taken);
  // Show what was drawn, as large as the pane allows.
  const bb = svg.getBBox(), m = 16;
  if (bb.width > 0) svg.setAttribute("viewBox", `${bb.x - m} ${bb.y - m} ${bb.width + 2 * m} ${bb.height + 2 * m}`);
  dots.setAttribute("viewBox", svg.getAttribute("viewBox"));
}

function positionLabel(part, taken) {
  const { lg, geo } = part;
  const box = placeLabel(lg, geo, taken);
  const cx = box.x + box.w / 2;
  lg.querySelector("rect").setAttribute("x", box.x);
  lg.querySelector("rect").setAttribute("y", box.y);
  lg.querySelector("rect").setAttribute("width", box.w);
  lg.querySelector("rect").setAttribute("height", box.h);
  lg.querySelector(".l1").setAttribute("x", cx);
  lg.querySelector(".l1").setAttribute("y", box.y + 16);
  lg.querySelector(".l2").setAttribute("x", cx);
  lg.querySelector(".l2").setAttribute("y", box.y + 31);
  part.box = box;
}

export function updateEdge(e) {
  const part = layout.parts.get(e.id);
  if (!part) return;
  const bad = edgeBad(e), any = (e.delivered || 0) + bad;
  const cls = bad ? "bad" : any ? "ok" : "idle";
  for (const k of COUNTERS) part.g.setAttribute(`data-${k.replace("_", "-")}`, String(e[k] || 0));
  part.g.classList.remove("ok", "bad", "idle");
  part.g.classList.add(cls);
  part.path.setAttribute("marker-end", `url(#${cls === "ok" ? "arrow" : `arrow-${cls}`})`);
  part.title.textContent = `${e.from} → ${e.to}: ${edgeLabelText(e)}\n${countsText(e)}`;
  const l1 = part.lg.querySelector(".l1"), l2 = part.lg.querySelector(".l2");
  l1.textContent = edgeLabelText(e);
  l2.textContent = countsText(e);
  part.lg.setAttribute("class", `elabel ${cls}`);
  // Measuring makes the browser lay the text out: only when a text got longer.
  if (l1.textContent.length + l2.textContent.length === part.chars) return;
  part.chars = l1.textContent.length + l2.textContent.length;
  const w1 = l1.getComputedTextLength(), w2 = l2.getComputedTextLength();
  part.lg.dataset.w1 = w1;
  part.lg.dataset.w2 = w2;
  if (part.box && Math.max(w1, w2) + 18 > part.box.w) {
    // The counters grew wider than the box: widen it in place.
    const rect = part.lg.querySelector("rect");
    const w = Math.max(w1, w2) + 18, x = part.box.x + part.box.w / 2 - w / 2;
    rect.setAttribute("x", x);
    rect.setAttribute("width", w);
    part.box = { ...part.box, x, w };
  }
}

// Messages on an edge: the line stays lit while they flow (cool() turns it off 1.2 s after
// the last), and, unless @busy, a dot runs along it, at most once a second per edge and
// DOTS_MAX at once. Dots are what repaints most (an animation is drawn every frame): at a high
// rate (@busy) the lit lines and the counters show the flow without them.
const DOTS_MAX = 3;
export function flash(id, bad, busy) {
  const part = layout && layout.parts.get(id);
  if (!part) return;
  const now = performance.now();
  part.lit = now;
  part.g.classList.add("active");
  if (busy || now - (part.dotAt || -1e9) < 1000 || layout.dots.childElementCount >= DOTS_MAX) return;
  part.dotAt = now;
  const dot = s("circle", { r: 5, class: bad ? "msgdot bad" : "msgdot" });
  const motion = s("animateMotion", { dur: "0.6s", path: part.geo.d, fill: "freeze" });
  dot.append(motion);
  layout.dots.append(dot);
  motion.beginElement();
  setTimeout(() => dot.remove(), 650);
}

// Turn off the edges that carried nothing for 1.2 s.
export function cool() {
  if (!layout) return;
  const now = performance.now();
  for (const part of layout.parts.values()) {
    if (part.lit && now - part.lit > 1200) {
      part.lit = 0;
      part.g.classList.remove("active");
    }
  }
}

