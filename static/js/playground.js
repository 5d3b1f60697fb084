// The playground: controls -> query -> trace + scene from the API -> SVG, player, panels.

import { t, lang } from "./i18n.js";
import "./lang.js";
import { CellMap } from "./hover.js";
import { PAUSE_ICON, PLAY_ICON, Player } from "./player.js";
import { SceneView } from "./scene-svg.js";
import { fromQuery, toQuery } from "./spec-query.js";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const form = $("#controls");
const view = new SceneView($("#stage"));
const presets = JSON.parse($("#presets").textContent);
const PAIR_NAMES = ["input_size", "kernel_size", "stride", "dilation", "output_padding"];

let state = fromQuery(location.search);
let cells = null;
let lastGood = null;
let inflight = null;
let serial = 0;

// ---- form <-> state -----------------------------------------------------------------
function writeForm() {
  form.op.value = state.op;
  for (const name of PAIR_NAMES) {
    const [a, b] = $$(`input[name="${name}"]`, form);
    a.value = state[name][0];
    b.value = state[name][1];
    $(`input[data-link="${name}"]`, form).checked = state[name][0] === state[name][1];
  }
  for (const name of ["in_channels", "out_channels", "groups"]) form[name].value = state[name];
  const p = state.padding;
  const kind = typeof p === "string" ? p : Array.isArray(p) ? "axis" : typeof p === "object" ? "sides" : "number";
  $("#padding-kind").value = kind;
  form.pad.value = typeof p === "number" ? p : 0;
  form.pad_h.value = Array.isArray(p) ? p[0] : typeof p === "number" ? p : 0;
  form.pad_w.value = Array.isArray(p) ? p[1] : typeof p === "number" ? p : 0;
  for (const side of ["top", "bottom", "left", "right"]) form[`pad_${side}`].value = typeof p === "object" && !Array.isArray(p) ? p[side] : 0;
  form.padding_mode.value = state.padding_mode;
  form.view.value = state.view;
  form.ceil_mode.checked = state.ceil_mode;
  form.count_include_pad.checked = state.count_include_pad;
  form.numbers.checked = state.numbers;
  form.labels.checked = state.labels;
  form.layout.value = state.layout;
  form.palette.value = state.palette;
  form.granularity.value = state.granularity;
  showFieldsFor(state.op);
}

function readForm() {
  const s = { ...state };
  s.op = form.op.value;
  for (const name of PAIR_NAMES) {
    const [a, b] = $$(`input[name="${name}"]`, form);
    s[name] = [parseInt(a.value, 10), parseInt(b.value, 10)];
  }
  for (const name of ["in_channels", "out_channels", "groups"]) s[name] = parseInt(form[name].value, 10);
  const kind = $("#padding-kind").value;
  if (kind === "number") s.padding = parseInt(form.pad.value, 10);
  else if (kind === "axis") s.padding = [parseInt(form.pad_h.value, 10), parseInt(form.pad_w.value, 10)];
  else if (kind === "sides") s.padding = Object.fromEntries(["top", "bottom", "left", "right"].map((k) => [k, parseInt(form[`pad_${k}`].value, 10)]));
  else s.padding = kind;
  s.padding_mode = form.padding_mode.value;
  s.view = form.view.value;
  s.ceil_mode = form.ceil_mode.checked;
  s.count_include_pad = form.count_include_pad.checked;
  s.numbers = form.numbers.checked;
  s.labels = form.labels.checked;
  s.layout = form.layout.value;
  s.palette = form.palette.value;
  s.granularity = form.granularity.value;
  if (s.op !== "conv2d" && ["sides", "valid", "same", "full"].includes(kind)) s.padding = 0;
  return s;
}

function showFieldsFor(op) {
  const conv = op === "conv2d" || op === "conv_transpose2d";
  const rules = {
    "only-conv": conv, "only-conv2d": op === "conv2d", "only-conv_transpose2d": op === "conv_transpose2d",
    "only-pool": !conv, "only-avg_pool2d": op === "avg_pool2d", "only-dilation": op !== "avg_pool2d",
  };
  for (const [cls, on] of Object.entries(rules)) for (const el of $$(`.${cls}`, form)) el.hidden = !on;
  const kind = $("#padding-kind").value;
  for (const el of $$(".pad", form)) el.hidden = !el.classList.contains(`pad-${kind}`);
}

// ---- talking to the API ---------------------------------------------------------------
function queries() {
  const spec = toQuery(state, { render: false });
  const all = toQuery(state);
  return { spec, all };
}

async function getJSON(url, signal) {
  const r = await fetch(url, { signal, headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({ detail: [{ param: "", msg: `HTTP ${r.status}` }] }));
  if (!r.ok) throw Object.assign(new Error("refused"), { detail: body.detail?.[0] || { msg: `HTTP ${r.status}` } });
  return body;
}

async function update({ push = false } = {}) {
  const { spec, all } = queries();
  const url = new URL(location.href);
  url.search = all.toString() + (lang !== "en" ? `&lang=${lang}` : "");
  if (url.href !== location.href) history[push ? "pushState" : "replaceState"](null, "", url);
  inflight?.abort();
  inflight = new AbortController();
  const mine = ++serial;
  setStatus(t("loading"));
  try {
    const [trace, scene] = await Promise.all([
      getJSON(`/api/v1/trace?${spec}&lang=${lang}`, inflight.signal),
      getJSON(`/api/v1/scene?${all}&lang=${lang}`, inflight.signal),
    ]);
    if (mine !== serial) return;
    clearErrors();
    show(trace, scene, all);
  } catch (err) {
    if (err.name === "AbortError" || mine !== serial) return;
    showError(err.detail || { msg: String(err) });
  }
}

function show(trace, scene, query) {
  lastGood = { trace, scene, query };
  view.setScene(scene);
  cells = new CellMap(trace);
  player.load(scene.frames);
  $("#scrub").max = Math.max(scene.frames.length - 1, 0);
  renderArithmetic(trace.arithmetic, trace);
  renderShare(query, scene, trace);
  setStatus(`${trace.op} · ${trace.input_shape.join("×")} → ${trace.output_shape.join("×")} · ${trace.steps.length} ${t("steps")}`);
  document.dispatchEvent(new CustomEvent("convplay:drawn", { detail: { steps: trace.steps.length, output_size: trace.output_size } }));
}

// ---- messages -------------------------------------------------------------------------
function clearErrors() {
  for (const el of $$(".error", form)) el.textContent = "";
  for (const el of $$(".field.invalid", form)) el.classList.remove("invalid");
}

function showError(detail) {
  clearErrors();
  const target = $(`#err-${CSS.escape(detail.param || "")}`);
  if (target) {
    target.textContent = detail.msg;
    target.closest(".field")?.classList.add("invalid");
  }
  setStatus(`${t("cannot")} ${detail.msg}`, true);
}

function setStatus(text, bad = false) {
  const el = $("#status");
  el.textContent = text;
  el.classList.toggle("bad", bad);
}

// ---- panels ---------------------------------------------------------------------------
function renderArithmetic(a, trace) {
  const rows = [
    ...a.output_size.map((o) => [`${t("output_size")} (${o.axis === "height" ? t("height") : t("width")})`, `<code>${o.formula}</code><br><code>${o.substituted}</code>`]),
    [t("effective_kernel"), a.effective_kernel.join(" × ")],
    [t("canvas_size"), a.canvas_size.join(" × ")],
    [t("unreached"), a.unreached_rows.length || a.unreached_cols.length ? `${a.unreached_rows.join(", ") || "–"} / ${a.unreached_cols.join(", ") || "–"}` : t("none")],
    [t("remainder"), a.remainder.join(", ")],
    [t("parameters"), a.parameters.toLocaleString()],
    [t("macs"), a.macs.toLocaleString()],
  ];
  $("#arith").innerHTML = rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("");
  $("#torch-line").textContent = a.torch;
}

function renderShare(all, scene, trace) {
  const origin = location.origin;
  const query = all + (lang !== "en" ? `&lang=${lang}` : "");   // the pictures' labels in the page's language
  const gif = `${origin}/api/v1/animation.gif?${query}`;
  const title = trace.arithmetic.torch;
  $("#share-gif").value = gif;
  $("#share-iframe").value = `<iframe src="${origin}/embed?${query}" width="${scene.width}" height="${scene.height + 56}" style="border:0;max-width:100%" title="${title.replace(/"/g, "&quot;")}" loading="lazy"></iframe>`;
  $("#share-md").value = `![${title}](${gif})`;
  setDownloads(query, player.index);
}

/** The download links the page lists (one per writer); a still format gets the frame on screen. */
function setDownloads(query, frame) {
  for (const a of document.querySelectorAll(".downloads a[data-format]")) {
    a.href = `/api/v1/animation.${a.dataset.format}?${query}${"still" in a.dataset ? `&frame=${frame}` : ""}`;
  }
}

// ---- player -----------------------------------------------------------------------------
const player = new Player({
  onFrame: (i) => {
    view.showFrame(i);
    $("#scrub").value = i;
    if (lastGood) setDownloads(lastGood.query, i);
  },
  onState: (p) => {
    $("#counter").textContent = p.frames.length ? `${t("step")} ${p.index + 1} ${t("of")} ${p.frames.length}` : "";
    const play = $("#play");
    play.innerHTML = p.playing ? PAUSE_ICON : PLAY_ICON;
    play.setAttribute("aria-label", p.playing ? t("pause") : t("play"));
    play.setAttribute("aria-pressed", String(p.playing));
  },
});
player.bindKeys();
$("#play").addEventListener("click", () => player.toggle());
$("#prev").addEventListener("click", () => player.step(-1));
$("#next").addEventListener("click", () => player.step(1));
$("#scrub").addEventListener("input", (e) => {
  player.pause();
  player.show(parseInt(e.target.value, 10));
});
$("#speed").addEventListener("change", (e) => player.setSpeed(parseFloat(e.target.value)));

// ---- hover / tap --------------------------------------------------------------------------
function hover(id) {
  view.clearHighlight();
  if (!id || !cells) return;
  const what = cells.explain(id);
  view.highlight(what.secondary, "#b58900", {}, "hl-self");
  view.highlight(what.primary, "#d33682", what.labels, "hl-target");
}
// A mouse highlights while it hovers; a tap keeps its highlight until the next tap.
$("#stage").addEventListener("pointerover", (e) => e.pointerType === "mouse" && hover(e.target.closest?.(".hit")?.dataset.id));
$("#stage").addEventListener("pointerleave", (e) => e.pointerType === "mouse" && view.clearHighlight());
$("#stage").addEventListener("pointerdown", (e) => e.pointerType !== "mouse" && hover(e.target.closest?.(".hit")?.dataset.id));

// ---- controls -------------------------------------------------------------------------------
let debounce = null;
function changed({ push }) {
  state = readForm();
  showFieldsFor(state.op);
  $("#preset").value = "";
  clearTimeout(debounce);
  debounce = setTimeout(() => update({ push }), push ? 0 : 40);
}

form.addEventListener("input", (e) => {
  const name = e.target.name;
  if (PAIR_NAMES.includes(name) && $(`input[data-link="${name}"]`, form).checked) {
    for (const other of $$(`input[name="${name}"]`, form)) if (other !== e.target) other.value = e.target.value;
  }
  if (e.target.type === "number" || e.target.type === "range") changed({ push: false });
});
form.addEventListener("change", (e) => {
  if (e.target.id === "preset") return;
  if (e.target.name === "op") {
    // pooling's stride defaults to the kernel, as in PyTorch
    const s = readForm();
    if (s.op.endsWith("pool2d")) {
      const [a, b] = $$('input[name="stride"]', form);
      a.value = s.kernel_size[0];
      b.value = s.kernel_size[1];
    }
  }
  changed({ push: true });
});
form.addEventListener("submit", (e) => e.preventDefault());
$("#depthwise").addEventListener("click", () => {
  form.out_channels.value = form.in_channels.value;
  form.groups.value = form.in_channels.value;
  changed({ push: true });
});
$("#preset").addEventListener("change", (e) => {
  const preset = presets.find((p) => p.slug === e.target.value);
  if (!preset) return;
  state = fromQuery(preset.query);
  writeForm();
  $("#preset").value = preset.slug;
  player.index = 0;
  update({ push: true });
});
for (const button of $$("button.copy")) {
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    const text = source.value ?? source.textContent;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      source.select?.();
      document.execCommand?.("copy");
    }
    button.textContent = t("copied");
    setTimeout(() => (button.textContent = t("copy_text")), 1500);
  });
}
window.addEventListener("popstate", () => {
  state = fromQuery(location.search);
  writeForm();
  update();
});
window.addEventListener("unhandledrejection", (e) => {
  setStatus(String(e.reason), true);
  e.preventDefault();
});

writeForm();
update();
