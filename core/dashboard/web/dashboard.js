// dashboard.js - exo's dashboard page: its model, the connection, and every view but the map's
// drawing (map.js). ES modules with no dependencies and no build step; exo run serves them
// with index.html, dashboard.css and exo.js under /TOKEN/ (docs/dashboard.md).
//
// Data flow: exo pushes batched state (dash.units, dash.logs, dash.flow, dash.stats, at most
// every 100 ms each) and answers commands (dash.hello, dash.send, dash.stop/start/restart,
// dash.activity, dash.payload). Every push only updates the model below and marks what
// changed; the DOM is rendered at most once per animation frame, and only for the view on
// screen, so the page costs the same at 10 or 10,000 messages per second.
import { connect } from "./exo.js";
import { h, $, clock, duration, bytes, count } from "./dom.js";
import { COUNTERS, drawMap, updateEdge, flash, cool, edgeLabelText } from "./map.js";

const LOG_MAX = 5000;          // lines kept (exo keeps the same backlog)
const RECENT_MAX = 200;        // messages in the map's recent list
const RECENT_BUSY = 50;        // the same at a high rate
const VIEWS = ["services", "logs", "map", "inspector", "send"];
const COMMAND_TIMEOUT = 30000; // ms: stopping a unit waits for its shutdown grace
const SEND_TIMEOUT = 15000;
const BUSY_RATE = 50;          // messages per second above which the map runs no dots

// ---- the model ------------------------------------------------------------------------

const model = {
  app: null,                   // the snapshot's app, dir, backend, started_at
  units: new Map(),            // name -> UNIT (docs/dashboard.md)
  stats: {},                   // name -> {cpu, rss}
  colors: new Map(),           // log prefix -> ANSI colour number of the terminal
  logs: [],                    // LINE objects, oldest first, at most LOG_MAX
  nodes: [],                   // [{id, kind}]
  edges: new Map(),            // EDGE id -> EDGE with its counters
  recent: [],                  // MSG objects, newest first, at most RECENT_MAX
  sampled: 0,                  // messages seen by exo but not sent to the page
  canSend: {},                 // role -> [names]
  pending: new Map(),          // unit -> {action, state, pid, timer}: a command under way
  activity: null,              // {id, messages, status, payloads: Map seq -> reply|error}
};

// What the next frame must redraw.
const dirty = {
  header: true, units: true, logs: true, logScroll: false, mapLayout: true, edges: new Set(), flashes: [],
  recent: "full", send: true, activity: true,
};
let newRecent = [];            // messages received since the recent list last rendered
let recentDrawn = 0;           // when it was
let edgesDrawn = 0;            // when the map's counters were last rewritten


// The terminal's colour of a log prefix (core/run/output.c: exo is bold, each role a colour
// of its palette); a prefix exo did not tell us about gets the palette in order of sight.
const PALETTE = [36, 32, 33, 35, 34, 96, 92, 93, 95, 94];
function colorOf(prefix) {
  let c = model.colors.get(prefix);
  if (c == null) {
    c = prefix === "exo" ? 1 : PALETTE[model.colors.size % PALETTE.length];
    model.colors.set(prefix, c);
  }
  return c;
}

// ---- scheduling -------------------------------------------------------------------------

let frameAsked = false;
function schedule() {
  if (frameAsked) return;
  frameAsked = true;
  requestAnimationFrame(frame);
}

let view = "services";
function frame() {
  frameAsked = false;
  if (dirty.header) renderHeader();
  if (view === "services" && dirty.units) renderUnits();
  if (view === "logs" && (dirty.logs || dirty.logScroll)) renderLogs();
  if (view === "map") renderMap();
  if (view === "inspector" && dirty.activity) renderActivity();
  if (view === "send" && dirty.send) renderSendForm();
}

function show(name) {
  if (!VIEWS.includes(name)) name = "services";
  view = name;
  for (const t of document.querySelectorAll(".tab")) {
    t.setAttribute("aria-selected", String(t.dataset.view === name));
  }
  for (const v of document.querySelectorAll(".view")) v.hidden = v.dataset.view !== name;
  document.body.dataset.view = name;
  if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  // A view that was hidden missed its incremental updates: redraw it whole.
  dirty.units = true;
  dirty.logs = true;
  dirty.recent = "full";
  dirty.mapLayout = true;
  dirty.flashes = [];
  dirty.activity = true;
  dirty.send = true;
  schedule();
}

// ---- the connection ---------------------------------------------------------------------

// The URL is http://127.0.0.1:PORT/TOKEN/: the token is the first part of the path.
const TOKEN = location.pathname.split("/").filter(Boolean)[0] || "";
const wsUrl = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/${TOKEN}/exo`;
const exo = connect(wsUrl, { token: TOKEN, backoffMax: 5000 });

function setConn(state, text) {
  const c = $("#conn");
  c.dataset.state = state;
  c.textContent = text;
  document.body.classList.toggle("offline", state !== "online");
}

exo.on("online", async () => {
  setConn("online", "Live");
  try {
    const snap = await exo.request("dash.hello", {}, { timeout: COMMAND_TIMEOUT });
    applySnapshot(snap.payload);
  } catch (e) {
    setConn("error", `exo did not answer: ${e.message}`);
  }
});
exo.on("offline", ({ retryIn }) => {
  setConn("offline", retryIn == null ? "Disconnected" : "Disconnected: exo run ended? retrying…");
});
exo.on("error", ({ error, message }) => {
  if (error === "not-authorised") setConn("refused", `Refused: ${message}`);
});
exo.on("dash.units", (m) => applyUnits(m.payload.units || []));
exo.on("dash.logs", (m) => applyLogs(m.payload.lines || []));
exo.on("dash.flow", (m) => applyFlow(m.payload));
exo.on("dash.stats", (m) => applyStats(m.payload.units || {}));

// ---- applying what exo sends ------------------------------------------------------------

function applySnapshot(p) {
  model.app = { app: p.app, dir: p.dir, backend: p.backend, started_at: p.started_at };
  model.units = new Map();
  model.colors = new Map(Object.entries(p.colors || {}).map(([k, v]) => [k, v]));
  model.logs = [];
  applyUnits(p.units || []);
  model.nodes = p.nodes || [];
  model.edges = new Map();
  for (const e of p.edges || []) model.edges.set(e.id, { ...e });
  model.recent = [];
  newRecent = [];
  model.sampled = 0;
  model.canSend = p.roles_can_send || {};
  applyLogs(p.logs || []);
  addRecent(p.recent || []);
  Object.assign(dirty, { header: true, units: true, logs: true, mapLayout: true,
    recent: "full", send: true });
  fillUnitSelect();
  schedule();
}

function applyUnits(units) {
  for (const u of units) {
    model.units.set(u.name, u);
    settle(u);
    if (u.color != null) model.colors.set(u.name, u.color);
  }
  dirty.units = true;
  dirty.header = true;
  dirty.mapLayout = dirty.mapLayout || view === "map"; // node states
  schedule();
}

function applyLogs(lines) {
  if (lines.length === 0) return;
  const before = model.colors.size;
  for (const l of lines) colorOf(l.unit);
  if (model.colors.size !== before) fillUnitSelect();
  model.logs.push(...lines);
  if (model.logs.length > LOG_MAX) model.logs.splice(0, model.logs.length - LOG_MAX);
  dirty.logs = true;
  schedule();
}

function edgeOf(id, c) {
  let e = model.edges.get(id);
  if (!e) {
    // An edge exo created on first sight (an undeclared send, to the node "exo").
    const [from, to, ...rest] = id.split(">");
    e = { id, from: c.from || from, to: c.to || to, name: c.name || rest.join(">"),
      internal_name: c.internal_name || null, delivered: 0, denied: 0, no_receiver: 0, dropped: 0 };
    model.edges.set(id, e);
    if (!model.nodes.some((n) => n.id === e.to)) model.nodes.push({ id: e.to, kind: e.to === "exo" ? "exo" : "service" });
    if (!model.nodes.some((n) => n.id === e.from)) model.nodes.push({ id: e.from, kind: "service" });
    dirty.mapLayout = true;
  }
  return e;
}

let rateWindow = [];           // [t, total] of recent flow pushes

function applyFlow(p) {
  let total = 0;
  for (const [id, c] of Object.entries(p.edges || {})) {
    const e = edgeOf(id, c);
    let good = 0, bad = 0;
    for (const k of COUNTERS) {
      const d = (c[k] ?? e[k]) - e[k];
      if (d > 0) (k === "delivered" ? (good += d) : (bad += d));
      e[k] = c[k] ?? e[k];
    }
    total += good + bad;
    dirty.edges.add(id);
    if (good || bad) dirty.flashes.push([id, bad > 0]);
  }
  rateWindow.push([performance.now(), total]);
  model.sampled += p.sampled || 0;
  addRecent(p.recent || []);
  dirty.header = true;
  schedule();
}

// Messages per second over the last 2 s of flow pushes (exo pushes nothing when idle).
function rate() {
  const now = performance.now();
  rateWindow = rateWindow.filter(([t]) => now - t < 2000);
  return rateWindow.reduce((a, [, n]) => a + n, 0) / 2;
}

function addRecent(msgs) {
  if (msgs.length === 0) return;
  // exo sends oldest first; the list shows newest first.
  const fresh = msgs.slice().reverse();
  model.recent = fresh.concat(model.recent).slice(0, RECENT_MAX);
  newRecent = fresh.concat(newRecent).slice(0, RECENT_MAX);
  if (!dirty.recent) dirty.recent = "prepend";
  schedule();
}

function applyStats(units) {
  model.stats = units;
  dirty.units = true;
  schedule();
}

// ---- header -----------------------------------------------------------------------------

function renderHeader() {
  dirty.header = false;
  const a = model.app;
  if (!a) return;
  $("#app-name").textContent = a.app;
  document.title = `${a.app}: exo dashboard`;
  $("#app-dir").textContent = a.dir || "";
  $("#app-backend").textContent = a.backend ? `backend: ${a.backend}` : "";
  const units = [...model.units.values()];
  const ready = units.filter((u) => u.state === "ready").length;
  const troubled = units.filter((u) => u.state === "failed" || u.state === "restarting").length;
  const sum = $("#summary");
  sum.replaceChildren(...[
    h("span", { class: "stat", "data-stat": "ready" }, h("b", { text: `${ready}/${units.length}` }), " ready"),
    troubled ? h("span", { class: "stat bad", "data-stat": "troubled" }, h("b", { text: String(troubled) }), " restarting or failed") : null,
    h("span", { class: "stat", "data-stat": "rate" }, h("b", { text: `${count(Math.round(rate()))}` }), " msg/s"),
    a.started_at ? h("span", { class: "stat" }, "up ", h("b", { text: duration(Date.now() - a.started_at) })) : null,
  ].filter(Boolean));
}

// ---- services -----------------------------------------------------------------------------

const ACTIVE = new Set(["starting", "ready", "restarting"]);

function restartsText(list) {
  if (!list || list.length === 0) return "0";
  const last = list.slice(-3).map((r) => (r.signal ? r.signal : r.exit_code != null ? `exit ${r.exit_code}` : "?"));
  return `${list.length} (${list.length > 3 ? "…, " : ""}${last.join(", ")})`;
}

function restartsTitle(list) {
  return (list || []).map((r) => `${clock(r.at)}  ${r.signal ? `signal ${r.signal}` :
    r.exit_code != null ? `exit code ${r.exit_code}` : "ended"}`).join("\n");
}

function unitCells(u, now) {
  const st = model.stats[u.name] || {};
  const running = (u.state === "ready" || u.state === "starting") && u.started_at;
  const ident = [u.pid != null ? `pid ${u.pid}` : null, u.container ? u.container.slice(0, 12) : null]
    .filter(Boolean).join("\n");
  return {
    backend: [u.backend || "", null],
    pid: [ident || "–", u.container || null],
    ready: [u.ready_at && u.started_at ? duration(u.ready_at - u.started_at) : "–",
      u.ready_at ? `ready at ${new Date(u.ready_at).toLocaleString()}` : null],
    restarts: [restartsText(u.restarts), restartsTitle(u.restarts) || null],
    uptime: [running ? duration(now - u.started_at) : "–", null],
    cpu: [running && st.cpu != null ? `${st.cpu.toFixed(1)} %` : "–", null],
    rss: [running && st.rss != null ? bytes(st.rss) : "–", null],
  };
}

function unitRow(name) {
  const cell = (field, cls) => h("td", { "data-field": field, class: cls });
  const btn = (action, label) => h("button", {
    class: `small ${action}`, "data-action": action, "data-unit": name, text: label,
    onclick: () => unitCommand(action, name),
  });
  return h("tr", { "data-unit": name },
    h("td", { "data-field": "name" }, h("span", { class: "swatch" }), h("span", { class: "name" }),
      h("span", { class: "kind" })),
    h("td", { "data-field": "state" }, h("span", { class: "badge" })),
    cell("backend"), cell("pid", "mono"), cell("ready", "num"), cell("restarts"), cell("uptime", "num"),
    cell("cpu", "num"), cell("rss", "num"),
    h("td", { "data-field": "actions", class: "actions" }, btn("start", "Start"), btn("stop", "Stop"),
      btn("restart", "Restart")));
}

function renderUnits() {
  dirty.units = false;
  const body = $("#units tbody");
  const rows = new Map([...body.rows].map((r) => [r.dataset.unit, r]));
  const now = Date.now();
  let i = 0;
  for (const u of model.units.values()) {
    let row = rows.get(u.name);
    if (!row) row = unitRow(u.name);
    if (body.rows[i] !== row) body.insertBefore(row, body.rows[i] || null);
    rows.delete(u.name);
    fillUnitRow(row, u, now);
    i++;
  }
  for (const r of rows.values()) r.remove();
  $("#units-empty").hidden = model.units.size > 0;
}

function fillUnitRow(row, u, now) {
  row.dataset.state = u.state;
  row.dataset.pid = u.pid ?? "";
  row.dataset.container = u.container ?? "";
  row.dataset.restarts = String((u.restarts || []).length);
  const c = colorOf(u.name);
  row.querySelector(".swatch").className = `swatch c${c}`;
  row.querySelector(".name").textContent = u.name;
  row.querySelector(".kind").textContent = u.kind && u.kind !== "service" ? u.kind : "";
  const badge = row.querySelector(".badge");
  badge.textContent = u.state;
  badge.className = `badge st-${u.state}`;
  for (const [field, [text, title]] of Object.entries(unitCells(u, now))) {
    const td = row.querySelector(`[data-field="${field}"]`);
    if (td.textContent !== text) td.textContent = text;
    if (title) td.title = title; else td.removeAttribute("title");
  }
  const busy = model.pending.get(u.name);
  if (busy) {
    badge.textContent = `${DOING[busy.action]}…`;
    badge.className = "badge st-starting";
  }
  for (const b of row.querySelectorAll("button")) {
    const a = b.dataset.action;
    b.hidden = a === "start" ? ACTIVE.has(u.state) : a === "stop" ? !ACTIVE.has(u.state) : false;
    b.disabled = Boolean(busy);
    b.classList.toggle("busy", busy != null && busy.action === a);
  }
}

const DOING = { stop: "stopping", start: "starting", restart: "restarting" };

// exo answers a command once it is under way; what the unit becomes comes with dash.units.
// Until its state or pid changes, the row says what was asked and takes no other command
// (a Start while the unit is still stopping would be lost).
function settle(u) {
  const p = model.pending.get(u.name);
  if (p && (u.state !== p.state || u.pid !== p.pid)) endCommand(u.name);
}

function endCommand(unit) {
  const p = model.pending.get(unit);
  if (p) clearTimeout(p.timer);
  model.pending.delete(unit);
  dirty.units = true;
  schedule();
}

async function unitCommand(action, unit) {
  const u = model.units.get(unit) || {};
  const p = { action, state: u.state, pid: u.pid ?? null, timer: null };
  model.pending.set(unit, p);
  const errBox = $("#unit-error");
  errBox.hidden = true;
  dirty.units = true;
  schedule();
  try {
    await exo.request(`dash.${action}`, { unit }, { timeout: COMMAND_TIMEOUT });
    // (a command that changes nothing, e.g. Start on a running unit, ends by itself)
    if (model.pending.get(unit) === p) p.timer = setTimeout(() => endCommand(unit), COMMAND_TIMEOUT);
  } catch (e) {
    errBox.textContent = `${action} ${unit}: ${e.code}: ${e.message}`;
    errBox.hidden = false;
    endCommand(unit);
  }
}

// ---- logs ---------------------------------------------------------------------------------

const logFilter = { unit: "", text: "" };

function fillUnitSelect() {
  const sel = $("#log-unit");
  const want = [...new Set([...model.units.keys(), ...model.colors.keys()])].sort();
  const have = [...sel.options].slice(1).map((o) => o.value);
  if (want.join("\n") === have.join("\n")) return;
  const cur = sel.value;
  sel.replaceChildren(h("option", { value: "", text: "all" }),
    ...want.map((n) => h("option", { value: n, text: n })));
  sel.value = want.includes(cur) ? cur : "";
}

function matches(l) {
  if (logFilter.unit && l.unit !== logFilter.unit) return false;
  return !logFilter.text || (l.text || "").toLowerCase().includes(logFilter.text);
}

function prefixWidth() {
  let w = 3;
  for (const k of model.colors.keys()) w = Math.max(w, k.length);
  return w;
}

function logLine(l, width) {
  const err = l.stream === "stderr";
  return h("div", { class: "ln", "data-unit": l.unit, "data-stream": l.stream },
    h("span", { class: "t", text: clock(l.t) }),
    h("span", { class: `pfx c${colorOf(l.unit)}`, text: l.unit.padStart(width) }),
    h("span", { class: "sep", text: " | " }),
    h("span", { class: err ? "tx c31" : "tx", text: l.text }));
}

// The log is a virtual list: lines have one height (no wrapping; long ones scroll sideways)
// and only those on screen are in the DOM, so 5,000 lines cost what 50 do.
const ROW_H = 19;
let logView = [];              // the lines that pass the filter, oldest first

function renderLogs() {
  const box = $("#log-lines"), space = $("#log-space"), rows = $("#log-rows");
  if (dirty.logs) {
    logView = logFilter.unit || logFilter.text ? model.logs.filter(matches) : model.logs.slice();
    space.style.height = `${logView.length * ROW_H}px`;
    $("#log-count").textContent = logView.length === model.logs.length ? `${count(logView.length)} lines` :
      `${count(logView.length)} of ${count(model.logs.length)} lines`;
    if ($("#log-follow").checked) box.scrollTop = box.scrollHeight;
  }
  dirty.logs = dirty.logScroll = false;
  const first = Math.max(0, Math.floor(box.scrollTop / ROW_H) - 10);
  const n = Math.ceil(box.clientHeight / ROW_H) + 20;
  const width = prefixWidth();
  rows.style.transform = `translateY(${first * ROW_H}px)`;
  rows.replaceChildren(...logView.slice(first, first + n).map((l) => logLine(l, width)));
}

// ---- the message map ----------------------------------------------------------------------

function renderMap() {
  const busy = rate() > BUSY_RATE, now = performance.now();
  if (dirty.mapLayout) {
    dirty.mapLayout = false;
    dirty.edges.clear();
    drawMap($("#map"), $("#map-dots"), { nodes: model.nodes, edges: [...model.edges.values()], units: model.units, colorOf });
    renderEdgeTable();
  } else if (dirty.edges.size && (!busy || now - edgesDrawn > 250)) {
    // (at a high rate the counters change every push: four times a second is enough)
    edgesDrawn = now;
    for (const id of dirty.edges) updateEdge(model.edges.get(id));
    renderEdgeTable([...dirty.edges]);
    dirty.edges.clear();
  }
  const seen = new Set();
  for (const [id, bad] of dirty.flashes) {
    if (!seen.has(id)) flash(id, bad, busy);
    seen.add(id);
  }
  dirty.flashes = [];
  cool();
  // (at a high rate the list is redrawn twice a second: it scrolls too fast to read anyway)
  if (dirty.recent && (!busy || now - recentDrawn > 500)) {
    recentDrawn = now;
    renderRecent(busy);
  }
  const note = model.sampled ? `${count(model.sampled)} messages not listed (sampled)` : "";
  if ($("#map-rate").textContent !== note) $("#map-rate").textContent = note;
}

function renderEdgeTable(only) {
  const body = $("#edges tbody");
  if (!only) {
    const rows = [...model.edges.values()].map((e) => h("tr", { "data-edge": e.id },
      h("td", { class: `c${e.from === "exo" ? 1 : colorOf(e.from)}`, text: e.from }),
      h("td", { class: `c${e.to === "exo" ? 1 : colorOf(e.to)}`, text: e.to }),
      h("td", { class: "mono", text: edgeLabelText(e) }),
      ...COUNTERS.map((k) => h("td", { class: "num", "data-count": k }))));
    body.replaceChildren(...rows);
  }
  for (const tr of body.rows) {
    if (only && !only.includes(tr.dataset.edge)) continue;
    const e = model.edges.get(tr.dataset.edge);
    for (const k of COUNTERS) {
      const td = tr.querySelector(`[data-count="${k}"]`);
      td.textContent = count(e[k]);
      td.classList.toggle("bad", k !== "delivered" && e[k] > 0);
    }
  }
}

function recentItem(m) {
  const bad = m.outcome !== "delivered";
  const name = m.internal_name && m.internal_name !== m.name ? `${m.name} → ${m.internal_name}` : m.name;
  return h("li", {
    "data-seq": m.seq, "data-activity": m.activity, "data-outcome": m.outcome, class: bad ? "bad" : "",
    tabindex: 0, title: `activity ${m.activity}: open it in the inspector`,
    onclick: () => inspect(m.activity),
    onkeydown: (ev) => { if (ev.key === "Enter") inspect(m.activity); },
  },
  h("span", { class: "t", text: clock(m.t) }),
  h("span", { class: "who" }, h("span", { class: `c${colorOf(m.sender)}`, text: m.sender }), " → ",
    h("span", { class: m.receiver ? `c${colorOf(m.receiver)}` : "muted", text: m.receiver || "nobody" })),
  h("span", { class: "mname", text: name }),
  bad ? h("span", { class: `badge oc-${m.outcome}`, text: m.outcome }) :
    h("span", { class: "oc-delivered ok-mark", title: "delivered", text: "✓" }));
}

// At a high rate the list shows fewer messages (RECENT_BUSY): it is laid out twice a second.
function renderRecent(busy) {
  const list = $("#recent");
  const max = busy ? RECENT_BUSY : RECENT_MAX;
  const src = (dirty.recent === "full" ? model.recent : newRecent).slice(0, max);
  const frag = document.createDocumentFragment();
  for (const m of src) frag.append(recentItem(m));
  if (dirty.recent === "full" || src.length === max) list.replaceChildren(frag); else list.prepend(frag);
  while (list.childElementCount > max) list.lastElementChild.remove();
  newRecent = [];
  dirty.recent = false;
  const note = model.recent.length ? "newest first · click to inspect" : "(none yet)";
  if ($("#recent-note").textContent !== note) $("#recent-note").textContent = note;
}

// ---- the activity inspector ---------------------------------------------------------------

async function inspect(id) {
  id = (id || "").trim();
  $("#activity-id").value = id;
  show("inspector");
  if (!id) return;
  model.activity = { id, messages: [], status: "loading", payloads: new Map() };
  dirty.activity = true;
  schedule();
  try {
    const r = await exo.request("dash.activity", { activity: id }, { timeout: COMMAND_TIMEOUT });
    if (!model.activity || model.activity.id !== id) return;
    model.activity.messages = r.payload.messages || [];
    model.activity.status = "ok";
  } catch (e) {
    if (model.activity && model.activity.id === id) model.activity.status = `${e.code}: ${e.message}`;
  }
  dirty.activity = true;
  schedule();
}

async function loadPayload(seq) {
  const a = model.activity;
  if (!a) return;
  a.payloads.set(seq, { loading: true });
  dirty.activity = true;
  schedule();
  try {
    const r = await exo.request("dash.payload", { seq }, { timeout: COMMAND_TIMEOUT });
    a.payloads.set(seq, r.payload);
  } catch (e) {
    a.payloads.set(seq, { error: `${e.code}: ${e.message}` });
  }
  dirty.activity = true;
  schedule();
}

function prettyPayload(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text; // truncated or not JSON: as it is
  }
}

function payloadRow(seq, p) {
  let body;
  if (p.loading) body = h("span", { class: "hint", text: "loading…" });
  else if (p.error) body = h("span", { class: "bad", text: p.error });
  else {
    body = h("div", {},
      h("pre", { class: "payload", "data-payload-of": seq, text: p.payload == null || p.payload === "" ? "(no payload)" : prettyPayload(p.payload) }),
      p.truncated ? h("div", { class: "hint", text: `truncated: the first 4096 of ${count(p.size)} bytes` }) : null);
  }
  return h("tr", { class: "payload-row", "data-payload-row": seq }, h("td", { colspan: 9 }, body));
}

function activityRow(m, t0, i, a) {
  const name = m.internal_name && m.internal_name !== m.name ? `${m.name} → ${m.internal_name}` : m.name;
  const shown = a.payloads.get(m.seq);
  return h("tr", { "data-seq": m.seq, "data-outcome": m.outcome, class: m.outcome !== "delivered" ? "bad" : "" },
    h("td", { class: "num", text: String(i + 1) }),
    h("td", { class: "mono", "data-field": "t", text: clock(m.t) }),
    h("td", { class: "num", text: `+${Math.max(0, m.t - t0)}` }),
    h("td", { "data-field": "sender", class: `c${colorOf(m.sender)}`, text: m.sender }),
    h("td", { "data-field": "receiver", class: m.receiver ? `c${colorOf(m.receiver)}` : "muted", text: m.receiver || "–" }),
    h("td", { "data-field": "name", class: "mono", text: name }),
    h("td", { "data-field": "outcome" }, h("span", { class: `badge oc-${m.outcome}`, text: m.outcome })),
    h("td", { class: "num", text: bytes(m.size) }),
    h("td", {}, h("button", {
      class: "small", "data-payload-seq": m.seq, text: shown ? "hide payload" : "show payload",
      onclick: () => {
        if (a.payloads.has(m.seq)) { a.payloads.delete(m.seq); dirty.activity = true; schedule(); }
        else loadPayload(m.seq);
      },
    })));
}

function renderActivity() {
  dirty.activity = false;
  const a = model.activity;
  const body = $("#activity tbody");
  const status = $("#activity-status");
  $("#activity").hidden = !a || a.messages.length === 0;
  if (!a) { status.textContent = "Pick a message in the map's recent list, or type an activity id."; body.replaceChildren(); return; }
  status.dataset.activity = a.id;
  status.dataset.status = a.status === "loading" || a.status === "ok" ? a.status : "error";
  if (a.status === "loading") status.textContent = `Loading activity ${a.id}…`;
  else if (a.status !== "ok") status.textContent = `Activity ${a.id}: ${a.status}`;
  else if (a.messages.length === 0) status.textContent = `Activity ${a.id}: no message of it is kept (exo keeps the last 4096 messages).`;
  else {
    const last = a.messages[a.messages.length - 1], first = a.messages[0];
    status.textContent = `Activity ${a.id}: ${a.messages.length} message${a.messages.length > 1 ? "s" : ""} over ${duration(last.t - first.t) || "0 ms"}.`;
  }
  const rows = [];
  a.messages.forEach((m, i) => {
    rows.push(activityRow(m, a.messages[0].t, i, a));
    if (a.payloads.has(m.seq)) rows.push(payloadRow(m.seq, a.payloads.get(m.seq)));
  });
  body.replaceChildren(...rows);
}

// ---- send -----------------------------------------------------------------------------------

function renderSendForm() {
  dirty.send = false;
  const sel = $("#send-role");
  const roles = Object.keys(model.canSend).sort();
  const have = [...sel.options].map((o) => o.value);
  if (roles.join("\n") !== have.join("\n")) {
    const cur = sel.value;
    sel.replaceChildren(...roles.map((r) => h("option", { value: r, text: r })));
    if (roles.includes(cur)) sel.value = cur;
  }
  const names = model.canSend[sel.value] || [];
  $("#send-names").replaceChildren(...names.map((n) => h("option", { value: n })));
  $("#send-may").textContent = sel.value ?
    `${sel.value} may send: ${names.length ? names.join(", ") : "nothing"}` : "";
}

function sendResult(outcome, ...content) {
  const box = $("#send-result");
  box.hidden = false;
  box.dataset.outcome = outcome;
  box.className = `result ${outcome === "delivered" ? "ok" : "bad"}`;
  box.replaceChildren(...content);
}

function showSent(p) {
  const parts = [h("div", { class: "line1" }, h("span", { class: `badge oc-${p.outcome}`, text: p.outcome }),
    p.activity ? h("span", {}, " activity ", h("a", { href: "#inspector", class: "mono", "data-activity-link": p.activity,
      text: p.activity, onclick: (ev) => { ev.preventDefault(); inspect(p.activity); } })) : null)];
  if (p.error) parts.push(h("div", { class: "err", "data-field": "error", text: `${p.error.error}: ${p.error.message}` }));
  if (p.reply) {
    parts.push(h("div", { class: "hint", text: `reply: ${p.reply.name}` }),
      h("pre", { class: "payload", "data-field": "reply", text: JSON.stringify(p.reply.payload, null, 2) }));
  } else if (!p.error && p.outcome === "delivered") {
    parts.push(h("div", { class: "hint", text: "delivered; no reply came" }));
  }
  sendResult(p.error ? (p.outcome === "delivered" ? "error" : p.outcome) : p.outcome, ...parts);
}

async function submitSend(ev) {
  ev.preventDefault();
  const role = $("#send-role").value, name = $("#send-name").value.trim();
  const text = $("#send-payload").value.trim();
  if (!role) return sendResult("error", h("div", { class: "err", text: "no role may send: the app declares no sends" }));
  if (!name) return sendResult("error", h("div", { class: "err", text: "give the name of the message to send" }));
  const req = { role, name };
  if (text) {
    try {
      req.payload = JSON.parse(text);
    } catch (e) {
      return sendResult("error", h("div", { class: "err", text: `the payload is not JSON: ${e.message}` }));
    }
  }
  const button = $("#send-go");
  button.disabled = true;
  sendResult("pending", h("span", { class: "hint", text: `sending ${name} as ${role}…` }));
  try {
    const r = await exo.request("dash.send", req, { timeout: SEND_TIMEOUT });
    showSent(r.payload);
  } catch (e) {
    sendResult("error", h("div", { class: "err", "data-field": "error", text: `${e.code}: ${e.message}` }));
  } finally {
    button.disabled = false;
  }
}

// ---- wiring -------------------------------------------------------------------------------

function wire() {
  for (const t of document.querySelectorAll(".tab")) t.addEventListener("click", () => show(t.dataset.view));
  window.addEventListener("hashchange", () => show(location.hash.slice(1)));
  $("#log-unit").addEventListener("change", (ev) => { logFilter.unit = ev.target.value; dirty.logs = true; schedule(); });
  $("#log-text").addEventListener("input", (ev) => {
    logFilter.text = ev.target.value.toLowerCase();
    dirty.logs = true;
    schedule();
  });
  $("#log-follow").addEventListener("change", () => { dirty.logs = true; schedule(); });
  const box = $("#log-lines");
  box.addEventListener("scroll", () => {
    // Scrolling up stops following; back at the bottom follows again.
    $("#log-follow").checked = box.scrollTop + box.clientHeight >= box.scrollHeight - ROW_H;
    dirty.logScroll = true;
    schedule();
  }, { passive: true });
  $("#activity-form").addEventListener("submit", (ev) => { ev.preventDefault(); inspect($("#activity-id").value); });
  $("#send-form").addEventListener("submit", submitSend);
  $("#send-role").addEventListener("change", () => { dirty.send = true; schedule(); });
  // Uptimes and the header's clock move on their own.
  setInterval(() => { dirty.units = true; dirty.header = true; schedule(); }, 1000);
  if (!TOKEN) setConn("refused", "This page needs the URL exo run printed, with its token.");
  show(location.hash.slice(1) || "services");
}

wire();
