// The playground: controls -> query -> trace + scene from the API -> SVG, player, panels.
// Operations, fields, render options and formats all come from the embedded description.

import { t, lang } from "./i18n.js";
import "./lang.js";
import { esc, fieldHTML, pickHTML, readField, say, showPaddingKind, writeField } from "./form.js";
import { CellMap } from "./hover.js";
import { PAUSE_ICON, PLAY_ICON, Player } from "./player.js";
import { SceneView } from "./scene-svg.js";
import { animationURL, fromAddress, keepIn, mount, sceneURL } from "./teach.js";
import {
  FORMATS, OPS, RENDER, applies, fromQuery, opNamed, picked, renderValue, setRender, setValue, switchOp, toQuery, valueOf,
} from "./spec-query.js";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const form = $("#controls");
const view = new SceneView($("#stage"));
const presets = JSON.parse($("#presets").textContent);
// The render option by which a still download takes the frame on screen (the player's, not the form's).
const FRAME = "frame";

let state = fromQuery(location.search);
let cells = null;
let lastGood = null;
let inflight = null;
let serial = 0;

// ---- form <-> state: the form is built from the description ------------------------------
const specBox = $("#spec-fields");
const renderBox = $("#render-fields");
const opMenu = $("#op");
opMenu.innerHTML = OPS.map((op) => `<option value="${esc(op.name)}">${esc(say(op.label))}</option>`).join("");
renderBox.insertAdjacentHTML("beforeend", RENDER.map(fieldHTML).join(""));
const invalid = new Map();   // field name -> what is wrong with the text typed in it

/** The op's form, rebuilt when the operation changes: exactly its fields, in its order. */
function buildSpecFields() {
  const op = opNamed(state.op);
  const fields = op.fields;
  const html = [];
  for (const field of fields) {
    const pair = (op.mutually_exclusive || []).find((p) => p[0] === field.name);
    if (pair) html.push(pickHTML(pair, fields));
    html.push(fieldHTML(field));
  }
  specBox.innerHTML = html.join("");
  invalid.clear();
}

/** Which field a control belongs to, and whether it is a spec field or a render option. */
function fieldAt(el) {
  const box = el.closest?.("[data-param]");
  if (!box) return null;
  const name = box.dataset.param;
  const op = opNamed(state.op);
  const spec = specBox.contains(box) ? op.fields.find((f) => f.name === name) : null;
  const field = spec || (renderBox.contains(box) ? RENDER.find((f) => f.name === name) : null);
  // a box being replaced (another operation's form) still sends its change: not ours any more
  return field ? { box, spec, field } : null;
}

function writeForm({ except = null } = {}) {
  const op = opNamed(state.op);
  opMenu.value = state.op;
  for (const box of $$("[data-param]", specBox)) {
    const field = op.fields.find((f) => f.name === box.dataset.param);
    box.hidden = !applies(state, op, field) || (field.kind === "array" && state.values[field.name] === undefined);
    if (box !== except && !invalid.has(field.name)) writeField(field, box, valueOf(state, op, field));
  }
  for (const box of $$("[data-pick]", specBox)) {
    const pair = box.dataset.pick.split("|");
    box.querySelector("select").value = picked(state, op, pair);
  }
  for (const box of $$("[data-param]", renderBox)) {
    const field = RENDER.find((f) => f.name === box.dataset.param);
    if (box !== except && !invalid.has(field.name)) writeField(field, box, renderValue(state, field));
  }
}

/** Read one field's controls into the state; typed text that is no value is marked, not sent. */
function readInto(el) {
  const at = fieldAt(el);
  if (!at) return;
  const read = readField(at.field, at.box);
  if (read.error) {
    invalid.set(at.field.name, read.error);
    return;
  }
  invalid.delete(at.field.name);
  if (at.spec) setValue(state, opNamed(state.op), at.field, read.value);
  else setRender(state, at.field, read.value);
  writeForm({ except: at.box });
}

// ---- talking to the API ---------------------------------------------------------------
async function getJSON(url, signal) {
  const r = await fetch(url, { signal, headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => ({ detail: [{ param: "", msg: `HTTP ${r.status}` }] }));
  if (!r.ok) throw Object.assign(new Error("refused"), { detail: body.detail?.[0] || { msg: `HTTP ${r.status}` } });
  return body;
}

const withLang = (query) => query.toString() + (lang !== "en" ? `&lang=${lang}` : "");

async function update({ push = false } = {}) {
  const spec = toQuery(state, { render: false });
  const all = toQuery(state);
  const url = new URL(location.href);
  url.search = withLang(all);
  keepIn(url);
  if (url.href !== location.href) history[push ? "pushState" : "replaceState"](null, "", url);
  inflight?.abort();
  const mine = ++serial;
  if (invalid.size) {
    showTyping();
    return;
  }
  inflight = new AbortController();
  setStatus(t("loading"));
  const [trace, scene] = await Promise.allSettled([
    getJSON(`/api/v1/trace?${spec}&lang=${lang}`, inflight.signal),
    getJSON(`${sceneURL(all)}&lang=${lang}`, inflight.signal),
  ]);
  if (mine !== serial) return;
  const failed = [trace, scene].find((r) => r.status === "rejected")?.reason;
  if (failed?.name === "AbortError") return;
  if (failed && !failed.detail) {
    refuse({ msg: String(failed) }, { trace: true });
    return;
  }
  clearErrors();
  if (trace.status === "rejected") refuse(trace.reason.detail, { trace: true });
  else if (scene.status === "rejected") {
    showArithmetic(trace.value);
    refuse(scene.reason.detail, { trace: false });
    setStatus(summary(trace.value));
  } else show(trace.value, scene.value, withLang(all));   // shared pictures: labels in the page's language
}

const summary = (trace) => `${say(opNamed(trace.op)?.label) || trace.op} · ${trace.input_shape.join("×")} → ${trace.output_shape.join("×")} · ${trace.steps.length} ${t("steps")}`;

function show(trace, scene, query) {
  lastGood = { trace, scene, query };
  view.setScene(scene);
  cells = new CellMap(trace);
  player.load(scene.frames);
  $("#scrub").max = Math.max(scene.frames.length - 1, 0);
  showArithmetic(trace);
  renderShare(query, scene, trace);
  markStale({ picture: false, arithmetic: false, share: false });
  setStatus(summary(trace));
  document.dispatchEvent(new CustomEvent("convplay:drawn", { detail: { steps: trace.steps.length, output_size: trace.output_size } }));
}

// ---- messages and stale panels ----------------------------------------------------------
function clearErrors() {
  for (const el of $$(".error", form)) el.textContent = "";
  for (const el of $$(".field.invalid", form)) el.classList.remove("invalid");
}

function fieldError(param, msg) {
  const target = document.getElementById(`err-${param || ""}`);
  if (!target || !form.contains(target)) return;
  target.textContent = msg;
  target.closest(".field")?.classList.add("invalid");
}

/** What is on screen no longer matches the settings: say so instead of leaving it looking current. */
function markStale({ picture, arithmetic, share }, note = "") {
  const drawnBefore = lastGood !== null;   // before the first picture there is nothing to mark
  $("#stage").classList.toggle("stale", picture && drawnBefore);
  $("#stage-note").textContent = picture ? note : "";
  $("#h-arith").closest(".panel").classList.toggle("stale", arithmetic && $("#arith").childElementCount > 0);
  $("#h-share").closest(".panel").classList.toggle("stale", share && drawnBefore);
  for (const el of $$(".stale-note")) el.hidden = !el.closest(".stale");
}

/** A refusal: of the whole setting (the trace), or of the picture alone (the trace still shows). */
function refuse(detail, { trace }) {
  clearErrors();
  fieldError(detail.param, detail.msg);
  markStale({ picture: true, arithmetic: trace, share: true }, trace ? (lastGood ? t("stale") : "") : `${t("picture_refused")} ${detail.msg}`);
  if (trace) setStatus(`${t("cannot")} ${detail.msg}`, true);
}

function showTyping() {
  clearErrors();
  for (const [name, msg] of invalid) fieldError(name, msg);
  markStale({ picture: true, arithmetic: true, share: true }, lastGood ? t("stale") : "");
  setStatus(`${t("cannot")} ${[...invalid.values()][0]}`, true);
}

function setStatus(text, bad = false) {
  const el = $("#status");
  el.textContent = text;
  el.classList.toggle("bad", bad);
}

// ---- panels ---------------------------------------------------------------------------
function showArithmetic(trace) {
  const a = trace.arithmetic;
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

// One download link per output format; a still one gets the frame on screen.
$("#downloads").innerHTML = FORMATS.filter((f) => f.available !== false)
  .map((f) => `<a id="dl-${f.name}" data-format="${f.name}"${f.animated === false ? " data-still" : ""} download>${f.label || f.name.toUpperCase()}</a>`).join(" ");

function setDownloads(query, frame) {
  for (const a of $$("#downloads a")) a.href = `${animationURL(a.dataset.format, query)}${"still" in a.dataset ? `&${FRAME}=${frame}` : ""}`;
}

function renderShare(query, scene, trace) {
  const origin = location.origin;
  const gif = origin + animationURL("gif", query);
  const title = trace.arithmetic.torch;
  $("#share-gif").value = gif;
  $("#share-iframe").value = `<iframe src="${keepIn(new URL(`${origin}/embed?${query}`)).href}" width="${scene.width}" height="${scene.height + 56}" style="border:0;max-width:100%" title="${title.replace(/"/g, "&quot;")}" loading="lazy"></iframe>`;
  $("#share-md").value = `![${title}](${gif})`;
  setDownloads(query, player.index);
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
  $("#preset").value = "";
  clearTimeout(debounce);
  debounce = setTimeout(() => update({ push }), push ? 0 : 40);
}

/** The whole form again, for a new state (preset, history, another operation). */
function load(next) {
  // a box still being typed in sends its change as it loses focus: let it land first
  if (specBox.contains(document.activeElement)) document.activeElement.blur();
  state = next();
  buildSpecFields();
  writeForm();
}

form.addEventListener("input", (e) => {
  const box = e.target;
  if (box.dataset.axis !== undefined) {
    const group = box.parentElement;
    if (group.querySelector("input[data-link]").checked) for (const other of $$("input[data-axis]", group)) if (other !== box) other.value = box.value;
  }
  if (box.type === "number") {
    readInto(box);
    changed({ push: false });
  }
});
form.addEventListener("change", (e) => {
  const el = e.target;
  if (el.id === "preset") return;
  if (el === opMenu) {
    const name = opMenu.value;
    load(() => switchOp(state, name));
  } else if (el.closest("[data-pick]")) {
    const box = el.closest("[data-pick]");
    state.pick[box.dataset.pick] = el.value;
    writeForm();
  } else {
    if (el.dataset.kindOf) showPaddingKind(el.closest("[data-param]"));
    if (el.dataset.link && el.checked) {
      const [a, b] = $$("input[data-axis]", el.closest(".pair"));
      b.value = a.value;
    }
    readInto(el);
  }
  changed({ push: true });
});
form.addEventListener("submit", (e) => e.preventDefault());
form.addEventListener("click", (e) => {
  const box = e.target.dataset.clear !== undefined && e.target.closest("[data-param]");
  if (!box) return;
  delete state.values[box.dataset.param];
  writeForm();
  changed({ push: true });
});
$("#preset").addEventListener("change", (e) => {
  const preset = presets.find((p) => p.slug === e.target.value);
  if (!preset) return;
  load(() => fromQuery(preset.query));
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
mount($("#stage"), () => update({ push: true }));
window.addEventListener("popstate", () => {
  fromAddress();
  load(() => fromQuery(location.search));
  update();
});
window.addEventListener("unhandledrejection", (e) => {
  setStatus(String(e.reason), true);
  e.preventDefault();
});

load(() => state);
update();
