// The playground: controls -> query -> trace + scene from the API -> SVG, player, panels.
// Operations, fields, render options and formats all come from the embedded description.

import { follow } from "./address.js";
import { t, lang } from "./i18n.js";
import "./lang.js";
import { esc, fieldHTML, pickHTML, readField, say, showPaddingKind, writeField } from "./form.js";
import { CellMap } from "./hover.js";
import { begin, span } from "./marks.js";
import { pagePlayer } from "./player.js";
import { SceneView } from "./scene-svg.js";
import { animationURL, fromAddress, keepIn, mount, sceneURL } from "./teach.js";
import {
  FORMATS, OPS, RENDER, applies, fromQuery, impliedBy, opNamed, picked, queryText, renderValue, setRender, setValue, switchOp, toQuery, valueOf,
} from "./spec-query.js";
import { act, fillEditor, shapeOf, watchEditors } from "./values.js";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const form = $("#controls");
const view = new SceneView($("#stage"));
const presets = JSON.parse($("#presets").textContent);
// The render option by which a still download takes the frame on screen (the player's, not the form's).
const FRAME = "frame";

let state = fromQuery(location.search);
let hovered = null;       // the cell id the pointer or the cursor is on (its highlight may wait for the steps)
let lastGood = null;
let inflight = null;
let serial = 0;
let lastEdited = null;   // the array field the latest change edited (its shape is the user's to fix)
let notice = "";         // said with the next drawing: values dropped because their shape no longer fits

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
    html.push(fieldHTML(field, { editors: true }));
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
    box.hidden = !applies(state, op, field);
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
  const text = await r.text();
  const body = span("parse", () => {
    try {
      return JSON.parse(text);
    } catch {
      return { detail: [{ param: "", msg: `HTTP ${r.status}` }] };
    }
  });
  if (!r.ok) throw Object.assign(new Error("refused"), { detail: body.detail?.[0] || { msg: `HTTP ${r.status}` } });
  return body;
}

const withLang = (query) => queryText(query) + (lang !== "en" ? `&lang=${lang}` : "");

async function update({ push = false } = {}) {
  const spec = toQuery(state, { render: false });
  const all = toQuery(state);
  span("url", () => {
    const url = new URL(location.href);
    url.search = withLang(all);
    keepIn(url);
    follow(url, { push });
  });
  inflight?.abort();
  const mine = ++serial;
  if (invalid.size) {
    showTyping();
    return;
  }
  inflight = new AbortController();
  const slow = setTimeout(() => setStatus(t("loading")), 150);   // a quick answer does not flash it (nor repaint for it)
  const answered = begin("api");   // both requests, until both answers are read and parsed
  const [trace, scene] = await Promise.allSettled([
    getJSON(`/api/v1/trace?${queryText(spec)}&detail=summary&lang=${lang}`, inflight.signal),   // the steps only for hover
    getJSON(`${sceneURL(queryText(all))}&lang=${lang}`, inflight.signal),
  ]);
  answered();
  clearTimeout(slow);
  if (mine !== serial) return;
  const failed = [trace, scene].find((r) => r.status === "rejected")?.reason;
  if (failed?.name === "AbortError") return;
  if (failed && !failed.detail) {
    refuse({ msg: String(failed) }, { trace: true });
    return;
  }
  clearErrors();
  if (trace.status === "rejected" && dropStale(trace.reason.detail)) return;
  if (trace.status === "rejected") refuse(trace.reason.detail, { trace: true });
  else if (scene.status === "rejected") {
    showArithmetic(trace.value);
    refuse(scene.reason.detail, { trace: false });
    setStatus(summary(trace.value));
  } else show(trace.value, scene.value, withLang(all), queryText(spec));   // shared pictures: labels in the page's language
}

/** Values that another control's change no longer fits (their shape) go back to the defaults, said so. */
function dropStale(detail) {
  const op = opNamed(state.op);
  const field = op.fields.find((f) => f.name === detail.param && f.kind === "array");
  if (!field || detail.code !== "bad_shape" || state.values[field.name] === undefined || lastEdited === field.name) return false;
  delete state.values[field.name];
  notice = `${t("ed_dropped")} ${say(field.label)}`;
  update();
  return true;
}

const summary = (trace) => `${say(opNamed(trace.op)?.label) || trace.op} · ${trace.input_shape.join("×")} → ${trace.output_shape.join("×")} · ${trace.step_count} ${t("steps")}`;

/** A drawing: `trace` is the trace without its steps; `spec` the query its full trace (for hover) is fetched by. */
function show(trace, scene, query, spec) {
  lastGood = { trace, scene, query, spec, cells: null };
  span("scene", () => view.setScene(scene));
  span("frame", () => player.load(scene.frames));
  $("#scrub").max = Math.max(scene.frames.length - 1, 0);
  span("panels", () => {
    showArithmetic(trace);
    renderShare(query, scene, trace);
    markStale({ picture: false, arithmetic: false, share: false });
    fillEditors(trace);
  });
  if (document.activeElement === $("#stage")) moveCursor(cursor);   // the keyboard's cursor stays on the new picture
  setStatus(summary(trace) + (notice ? ` · ${notice}` : ""));
  notice = "";
  document.dispatchEvent(new CustomEvent("convplay:drawn", { detail: { steps: trace.step_count, output_size: trace.output_size } }));
}

/** The value editors show the values this trace used (an operation's own arrays are among its extras). */
function fillEditors(trace) {
  const op = opNamed(state.op);
  const implied = impliedBy(state, op);
  for (const box of $$("[data-param]", specBox)) {
    const field = op.fields.find((f) => f.name === box.dataset.param);
    if (implied.has(field?.name) && trace.spec[field.name] !== undefined && box !== document.activeElement?.closest("[data-param]")) {
      writeField(field, box, trace.spec[field.name]);   // the size an array brought, as the engine read it
    }
    if (field?.kind !== "array" || invalid.has(field.name)) continue;
    const value = field.name in trace ? trace[field.name] : trace.extras?.[field.name];
    fillEditor(box, field, value ?? null, { given: state.values[field.name] !== undefined });
  }
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
    [t("unreached"), a.unreached_rows.length || a.unreached_cols.length ? `${t("rows_word")}: ${unreached(trace, 0)} / ${t("cols_word")}: ${unreached(trace, 1)}` : t("none")],
    [t("remainder"), a.remainder.join(", ")],
    [t("parameters"), a.parameters.toLocaleString()],
    [t("macs"), a.macs.toLocaleString()],
  ];
  const own = a.explained;   // an operation's own formula: its papers, worked at one output cell
  if (own) {
    rows.push([t("paper"), own.papers.map(esc).join("<br>")], [t("formula"), `<code>${esc(own.formula)}</code>`],
      [`${t("worked_at")} [${own.at.join(",")}]`, `<code>${esc(own.substituted)}</code>`]);
  }
  $("#arith").innerHTML = rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("");
  $("#torch-line").textContent = a.torch;
}

/** Rows (axis 0) or columns no window reads, in input coordinates; padding and inserted zeros named, counted. */
function unreached(trace, axis) {
  const list = trace.arithmetic[axis ? "unreached_cols" : "unreached_rows"];
  if (!list.length) return "–";
  if (trace.view === "scatter") return list.join(", ");   // its drawn grid is the output
  const { kinds, source } = trace.canvas;
  const inputs = [];
  const others = new Map();
  for (const k of list) {
    const line = axis ? kinds.map((row, y) => [row[k], source[y][k]]) : [...kinds[k]].map((kind, x) => [kind, source[k][x]]);
    const cell = line.find(([kind]) => kind === "i");
    if (cell) inputs.push(cell[1][axis]);
    else {
      const word = t({ p: "unreached_pad", z: "unreached_zero" }[line.find(([kind]) => kind !== "x")?.[0]] || "unreached_beyond");
      others.set(word, (others.get(word) || 0) + 1);
    }
  }
  return [inputs.length ? `${t("cell_input")} ${inputs.join(", ")}` : "", ...[...others].map(([word, n]) => `${word} × ${n}`)].filter(Boolean).join(", ");
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
const player = pagePlayer((i) => span("step", () => {
  view.showFrame(i);
  if (lastGood) setDownloads(lastGood.query, i);
}), t);

// ---- hover / tap / keyboard ------------------------------------------------------------------
/** The hover map of the drawing on screen, from its full trace: fetched when the picture is first
 * pointed at, tapped or focused (a redraw fetches no steps). A promise, or the map once built. */
function cellMap() {
  const good = lastGood;
  if (good && !good.cells) {
    good.cells = getJSON(`/api/v1/trace?${good.spec}&lang=${lang}`)
      .then((trace) => (good.cells = span("cells", () => new CellMap(trace))))
      .catch((error) => {
        good.cells = null;   // the next pointing tries again
        throw error;
      });
  }
  return good?.cells ?? null;
}

/** Run `use(map)` with the hover map: now if it is built, else once its trace arrives, if `id` is still the one pointed at. */
function withCells(id, use) {
  const good = lastGood;
  const map = cellMap();
  if (!map || !id) return;
  if (!(map instanceof Promise)) return use(map);
  map.then((built) => hovered === id && lastGood === good && use(built), () => {});
}

const readout = $("#readout");
function hover(id) {
  hovered = id;
  view.clearHighlight();
  withCells(id, (cells) => light(cells, id));
}
function unhover() {
  hovered = null;
  view.clearHighlight();
}
function light(cells, id) {
  const what = cells.explain(id);
  view.highlight(what.secondary, "#b58900", {}, "hl-self");
  view.highlight(what.primary, "#d33682", what.labels, "hl-target");
  if (what.points?.length) view.dots(what.points, "#d33682");
  readout.textContent = cells.words(id);
}

// The keyboard's cursor: arrows move it over the cells of one map, Enter jumps to the first
// cell it reads (or that reads it); each cell is said in #readout (aria-live).
let cursor = null;
const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
function moveCursor(id) {
  if (!id || !view.scene?.polys[id]) return;
  cursor = id;
  hover(id);
  view.highlight([id], "#002b36", {}, "hl-cursor");
}
$("#stage").addEventListener("pointerenter", () => cellMap()?.catch?.(() => {}));   // the steps on their way before a cell is reached
$("#stage").addEventListener("focus", () => moveCursor(cursor && view.scene?.polys[cursor] ? cursor : Object.keys(view.scene?.polys || {}).find((id) => id.startsWith("out:"))));
$("#stage").addEventListener("blur", unhover);
$("#stage").addEventListener("keydown", (e) => {
  if (!cursor) return;
  const [role, c, y, x] = [cursor.split(":")[0], ...cursor.split(":").slice(1).map(Number)];
  if (MOVES[e.key]) {
    const [dy, dx] = MOVES[e.key];
    moveCursor(`${role}:${c}:${y + dy}:${x + dx}`);
  } else if (e.key === "Enter") {
    withCells(cursor, (cells) => moveCursor(cells.explain(cursor).primary.find((id) => view.scene.polys[id])));
  } else return;
  e.preventDefault();
  e.stopPropagation();   // not the player's arrows while the picture has the focus
});
// A mouse highlights while it hovers; a tap keeps its highlight until the next tap.
$("#stage").addEventListener("pointerover", (e) => e.pointerType === "mouse" && hover(e.target.closest?.(".hit")?.dataset.id));
$("#stage").addEventListener("pointerleave", (e) => e.pointerType === "mouse" && unhover());
$("#stage").addEventListener("pointerdown", (e) => e.pointerType !== "mouse" && hover(e.target.closest?.(".hit")?.dataset.id));

// ---- controls -------------------------------------------------------------------------------
let debounce = null;
let pushPending = false;   // a pending change that must make its own history entry (Back undoes it)
let typing = false;        // a number box is being typed in (its first keystroke made the history entry)
/** Redraw: a keystroke after 40 ms of quiet (the next one may follow), a committed change at once (a
 *  timer of 0 ms still waited 5-11 ms behind the page's other tasks before the requests went out). */
function changed({ push, wait = false }) {
  recognise();
  clearTimeout(debounce);
  pushPending ||= push;
  const go = () => {
    const own = pushPending;
    pushPending = false;
    update({ push: own });
  };
  if (wait) debounce = setTimeout(go, 40);
  else go();
}

/** The preset menu names the preset the settings are, however they were reached (a link, Back, by hand). */
function recognise() {
  const mine = queryText(toQuery(state));
  $("#preset").value = presetKeys.get(mine) ?? "";
}
// each preset's settings in the one spelling a state has, worked out once (not at every change)
const presetKeys = new Map(presets.map((p) => [queryText(toQuery(fromQuery(p.query))), p.slug]).reverse());

/** The whole form again, for a new state (preset, history, another operation). */
function load(next) {
  // a box still being typed in sends its change as it loses focus: let it land first
  if (specBox.contains(document.activeElement)) document.activeElement.blur();
  state = next();
  buildSpecFields();
  writeForm();
  recognise();
}

form.addEventListener("input", (e) => {
  const box = e.target;
  if (box.closest(".values")) return;   // the value editor acts on change and click
  if (box.dataset.axis !== undefined) {
    const group = box.parentElement;
    if (group.querySelector("input[data-link]").checked) for (const other of $$("input[data-axis]", group)) if (other !== box) other.value = box.value;
  }
  if (box.type === "number") {
    readInto(box);
    lastEdited = null;
    changed({ push: !typing, wait: true });   // the first keystroke of an edit makes a history entry, the next ones replace it
    typing = true;
  }
});
form.addEventListener("change", (e) => {
  const el = e.target;
  const wasTyping = typing;
  typing = false;
  if (el.id === "preset") return;
  if (el.closest(".values")) {
    const action = el.dataset.at !== undefined ? "cell" : el.dataset.ed;
    if (["cell", "on", "kernel"].includes(action)) edit(el.closest("[data-param]"), action);
    return;
  }
  lastEdited = null;
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
    span("form", () => readInto(el));
  }
  changed({ push: !(wasTyping && el.type === "number") });   // a typed number already has its entry
});
form.addEventListener("submit", (e) => e.preventDefault());
watchEditors(form);
form.addEventListener("click", (e) => {
  const action = e.target.closest?.("button[data-ed]")?.dataset.ed;
  if (action) edit(e.target.closest("[data-param]"), action);
});

/** A value editor's action: the field's whole array set (or back to its default), drawn again. */
function edit(box, action) {
  const field = opNamed(state.op).fields.find((f) => f.name === box.dataset.param);
  const outChannels = lastGood?.trace.output_shape[0] ?? 1;
  const r = act(box, field, action, { outChannels });
  if (r.value === undefined && !r.error) return;
  lastEdited = field.name;
  if (r.error) invalid.set(field.name, r.error);
  else {
    invalid.delete(field.name);
    // an array of another shape brings its sizes: the fields it implies follow it
    if (r.value && shapeOf(r.value).join(",") !== box.querySelector("[data-ed=grid]").dataset.shape) {
      for (const name of field.implies || []) delete state.values[name];
    }
    if (r.value === null) delete state.values[field.name];
    else state.values[field.name] = r.value;
  }
  changed({ push: true });
}
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
