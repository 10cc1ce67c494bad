// dom.js - the dashboard's small helpers: building elements (HTML and SVG) and formatting
// times, durations, sizes and counts for people.

export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

const SVGNS = "http://www.w3.org/2000/svg";
export function s(tag, attrs = {}) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) e.setAttribute(k, v);
  return e;
}

export const $ = (sel) => document.querySelector(sel);
const pad2 = (n) => String(n).padStart(2, "0");

export function clock(ms) {
  if (ms == null) return "";
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.` +
    String(d.getMilliseconds()).padStart(3, "0");
}

export function duration(ms) {
  if (ms == null || !(ms >= 0)) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const sec = Math.floor(ms / 1000);
  if (sec < 60) return ms < 10000 ? `${(ms / 1000).toFixed(1)} s` : `${sec} s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min} min ${sec % 60} s`;
  const hr = Math.floor(min / 60);
  if (hr < 48) return `${hr} h ${min % 60} min`;
  return `${Math.floor(hr / 24)} d ${hr % 24} h`;
}

export function bytes(n) {
  if (n == null) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

// 1234567 -> "1,234,567" (toLocaleString is slow enough to show at ten calls a frame)
export const count = (n) => String(Math.trunc(n || 0)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
