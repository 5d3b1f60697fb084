// The network builder: layers from the operations' description -> /api/v1/network + its scene -> SVG.
// A redraw asks for the frame on screen (a still scene, which carries the network's numbers) and paints
// it; the whole scene follows (the still's picture with every frame and every cell's polygon). Then the
// stills of the focused number box's next values are asked ahead, so a spinner's step paints at once.
// Hover or tap a cell: /api/v1/network/field gives its exact field both ways and its effective field.
// No operation or field is named here: they come from the embedded description and page data.

import { follow } from "./address.js";
import { t, lang } from "./i18n.js";
import "./lang.js";
import { esc, fieldHTML, readField, say, showPaddingKind, writeField } from "./form.js";
import { pagePlayer } from "./player.js";
import { SceneView } from "./scene-svg.js";
import { FORMATS, OPS, applies, opNamed, setValue, switchOp, valueOf } from "./spec-query.js";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const PAGE = JSON.parse($("#network-page").textContent);
const FROM_INPUT = new Set(PAGE.from_input);
const NET = { fields: PAGE.network_fields };          // the network's own fields, as a pseudo-operation
const RENDER = JSON.parse($("#ops").textContent).render.filter((f) => PAGE.render.includes(f.name));
const COLOURS = { below: "#d33682", above: "#b58900", theory: "#dc322f", shade: "#6c71c4" };
const TWO = new Set(["pair", "reals", "padding"]);
const WHOLE_AFTER = 200;   // ms after the first paint before every frame is asked for

const form = $("#controls");
const view = new SceneView($("#stage"));
let net = blank();
let render = {};
let drawn = null;       // { body, network, scene, query }
let serial = 0;
let fieldCache = new Map();

function blank() {
  return { input: { values: {}, pick: {}, render: {} }, layers: [] };
}
const newLayer = (op = OPS[0].name) => ({ op, values: {}, pick: {}, render: {} });
const layerFields = (layer) => opNamed(layer.op).fields.filter((f) => !FROM_INPUT.has(f.name));

/** A given value in the state's spelling (a number for a two-number kind is [n, n]). */
const normal = (field, value) => (TWO.has(field.kind) && typeof value === "number" ? [value, value] : value);

/** A network as JSON (a preset's, or the URL's) -> the builder's state. */
function load(raw) {
  const next = blank();
  for (const field of NET.fields) if (raw[field.name] !== undefined) setValue(next.input, NET, field, normal(field, raw[field.name]));
  for (const spec of raw.layers || []) {
    const layer = newLayer(opNamed(spec.op) ? spec.op : OPS[0].name);
    const op = opNamed(layer.op);
    for (const field of op.fields) if (spec[field.name] !== undefined) setValue(layer, op, field, normal(field, spec[field.name]));
    next.layers.push(layer);
  }
  return next;
}

// ---- the form ---------------------------------------------------------------------------
// ids made unique per layer (\x22 is a double quote)
const prefixed = (html, i) => html.replace(/(id|for|aria-labelledby)=\x22(f|err|lbl)-/g, `$1=\x22l${i}-$2-`);

function layerHTML(layer, i) {
  const op = opNamed(layer.op);
  const menu = OPS.map((o) => `<option value="${esc(o.name)}"${o.name === layer.op ? " selected" : ""}>${esc(say(o.label))}</option>`).join("");
  const n = net.layers.length;
  return `<li data-layer="${i}"><div class="layer-head"><span class="name">layers[${i}]</span>`
    + `<select class="layer-op" aria-label="layers[${i}] ${esc(t("op"))}">${menu}</select>`
    + `<button type="button" class="small" data-move="-1" aria-label="${esc(t("net_up"))}" title="${esc(t("net_up"))}"${i === 0 ? " disabled" : ""}>↑</button>`
    + `<button type="button" class="small" data-move="1" aria-label="${esc(t("net_down"))}" title="${esc(t("net_down"))}"${i === n - 1 ? " disabled" : ""}>↓</button>`
    + `<button type="button" class="small" data-remove aria-label="${esc(t("net_remove"))} layers[${i}]" title="${esc(t("net_remove"))}">✕</button></div>`
    + `<p class="error layer-error" role="alert"></p>`
    + layerFields(layer).map((f) => prefixed(fieldHTML(f), i)).join("") + "</li>";
}

function buildForm() {
  $("#net-fields").innerHTML = NET.fields.map(fieldHTML).join("");
  $("#layers").innerHTML = net.layers.map(layerHTML).join("");
  writeForm();
}

// The input's counts a layer's own field follows when left out (the channels: out_channels keeps them).
const FOLLOWED = new Set(OPS.flatMap((o) => o.fields.filter((f) => FROM_INPUT.has(f.default_from)).map((f) => f.default_from)));

/** Each layer's copy of such a count as it arrives from the layer below (as the engine counts it), so a field
 *  that follows it shows, and compares against, the real number. Never sent: it comes from the input. */
function flowChannels() {
  for (const name of FOLLOWED) {
    let incoming = valueOf(net.input, NET, NET.fields.find((f) => f.name === name));
    for (const layer of net.layers) {
      const op = opNamed(layer.op);
      layer.values[name] = incoming;
      const follower = op.fields.find((f) => f.default_from === name);
      if (follower) incoming = valueOf(layer, op, follower);
    }
  }
}

function writeForm() {
  flowChannels();
  for (const box of $$("[data-param]", $("#net-fields"))) {
    const field = NET.fields.find((f) => f.name === box.dataset.param);
    writeField(field, box, valueOf(net.input, NET, field));
  }
  net.layers.forEach((layer, i) => {
    const op = opNamed(layer.op);
    const li = $(`li[data-layer="${i}"]`);
    for (const box of $$("[data-param]", li)) {
      const field = op.fields.find((f) => f.name === box.dataset.param);
      box.hidden = !applies(layer, op, field) || (field.kind === "array" && layer.values[field.name] === undefined);
      writeField(field, box, valueOf(layer, op, field));
    }
  });
  writeRender();
}

function writeRender() {
  for (const box of $$("[data-param]", $("#render-fields"))) {
    const field = RENDER.find((f) => f.name === box.dataset.param);
    writeField(field, box, render[field.name] ?? chosen(field));
  }
}

/** A render option's value when not set here: the server's choice for this network (scene meta.options), else the default. */
const chosen = (field) => drawn?.scene.meta.options?.[field.name] ?? normal(field, field.default);

/** Which state and field a control belongs to. */
function where(el) {
  const box = el.closest("[data-param]");
  const li = el.closest("li[data-layer]");
  if (li) {
    const layer = net.layers[Number(li.dataset.layer)];
    const op = opNamed(layer.op);
    return { box, state: layer, op, field: box && op.fields.find((f) => f.name === box.dataset.param) };
  }
  if (box && $("#render-fields").contains(box)) return { box, render: true, field: RENDER.find((f) => f.name === box.dataset.param) };
  return { box, state: net.input, op: NET, field: box && NET.fields.find((f) => f.name === box.dataset.param) };
}

function readInto(el) {
  const at = where(el);
  if (!at.field) return false;
  const read = readField(at.field, at.box);
  if (read.error) {
    at.box.querySelector(".error").textContent = read.error;
    return false;
  }
  store(at, read.value);
  return true;
}

/** A control's value into what it belongs to: the network's state, or the render options. */
function store(at, value) {
  if (at.render) {
    delete render[at.field.name];
    if (JSON.stringify(value) !== JSON.stringify(chosen(at.field))) render[at.field.name] = value;
  } else {
    flowChannels();
    setValue(at.state, at.op, at.field, value);
    flowChannels();
  }
}

// ---- the network as the API reads it -------------------------------------------------------
function body() {
  const out = {};
  for (const field of NET.fields) if (net.input.values[field.name] !== undefined) out[field.name] = net.input.values[field.name];
  out.layers = net.layers.map((layer) => {
    const op = opNamed(layer.op);
    const spec = { op: layer.op };
    for (const field of layerFields(layer)) if (layer.values[field.name] !== undefined && applies(layer, op, field)) spec[field.name] = valueOf(layer, op, field);
    return spec;
  });
  return out;
}

function query(spec) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(spec)) q.set(k, Array.isArray(v) && !Array.isArray(v[0]) && k !== "layers" ? v.join("x") : JSON.stringify(v));
  return q.toString();
}

const renderQuery = () => Object.entries(render).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
const withLang = (q) => q + (lang !== "en" ? `${q ? "&" : ""}lang=${lang}` : "");

async function getJSON(url, options = {}) {
  const r = await fetch(url, { ...options, headers: { Accept: "application/json", ...(options.body ? { "Content-Type": "application/json" } : {}), ...options.headers } });
  const data = await r.json().catch(() => ({ detail: [{ param: "", msg: `HTTP ${r.status}` }] }));
  if (!r.ok) throw Object.assign(new Error("refused"), { status: r.status, detail: data.detail?.[0] || { msg: `HTTP ${r.status}` } });
  return data;
}

async function update() {
  const mine = ++serial;
  clearErrors();
  if (!net.layers.length) {
    drawn = null;
    view.container.innerHTML = "";
    player.load([]);
    setStatus(t("net_empty"));
    follow(withLang("/network?").replace(/\?$/, ""));
    return;
  }
  const spec = body();
  const extra = renderQuery();
  const sceneURL = sceneURLOf(spec, extra);
  const early = takeAhead(sceneURL);
  settled = false;
  const slow = setTimeout(() => setStatus(t("loading")), 150);   // a quick answer does not flash it (nor repaint for it)
  let still;
  try {
    // the frame on screen and the network's numbers: asked ahead, or now
    still = (await fromGuess(early)) || (await getJSON(`${sceneURL}&still=${player.index}`));
  } catch (e) {
    if (mine === serial) refuse(e.detail || { msg: String(e) });
    return;
  } finally {
    clearTimeout(slow);
  }
  if (mine !== serial) return;
  show(spec, still.meta.numbers, still, extra);
  // the frame on screen lasts its `ms` anyway: a control still moving asks again first, and its whole scene is never made
  await new Promise((resolve) => setTimeout(resolve, WHOLE_AFTER));
  if (mine !== serial) return;
  let scene;
  try {
    scene = await getJSON(sceneURL);
  } catch (e) {
    if (mine === serial) setStatus(`${t("cannot")} ${e.detail?.msg || String(e)}`, true);
    return;
  }
  if (mine !== serial) return;
  animate(scene);
  settled = true;
  askAhead();
}

const sceneURLOf = (spec, extra) => `/api/v1/network/scene?${query(spec)}${extra ? "&" + extra : ""}&lang=${lang}`;

// ---- the next step, asked ahead ------------------------------------------------------------------
// A spinner's click or an arrow key moves the focused number box one step. Once a redraw has settled
// (its whole scene in), the stills of that box's next value up and down are asked for, one at a time,
// marked `Purpose: prefetch`: the server makes them only while no render runs, so they cost nobody a
// wait, and the next change drops them. That step then paints without waiting for a render.
let settled = false;
let ahead = new Map();   // scene URL -> { index: the frame asked, still: its promise, stop: its AbortController }

/** The still asked ahead for `url`, if any; every other guess is dropped. */
function takeAhead(url) {
  const found = ahead.get(url);
  for (const [other, guess] of ahead) if (other !== url) guess.stop.abort();
  ahead = new Map();
  return found;
}

/** The value of `box`'s whole field with `box` itself at `value` (a pair's other number as it is, or
 *  the same when height = width is ticked; one side of a padding's sides), or undefined. The form is only read. */
function fieldWith(at, box, value) {
  const read = readField(at.field, at.box).value;
  if (typeof read === "number") return value;
  if (Array.isArray(read) && box.dataset.axis !== undefined) {
    if (box.parentElement.querySelector("input[data-link]")?.checked) return read.map(() => value);
    return read.map((n, i) => (i === Number(box.dataset.axis) ? value : n));
  }
  if (read && typeof read === "object" && box.dataset.side) return { ...read, [box.dataset.side]: value };
  return undefined;
}

/** What a guess answered, if it stands for the still asked now (not if a paused player was stepped since):
 *  the still, or the engine's refusal of that network (thrown); null if it is of no use (dropped, busy). */
async function fromGuess(guess) {
  if (!guess || (!player.playing && guess.index !== player.index)) return null;
  try {
    return await guess.still;
  } catch (e) {
    if (e.status === 422) throw e;
    return null;
  }
}

/** The scene URL of the network and options with number box `box` at `value`, or null; nothing changes. */
function urlWith(box, value) {
  const at = where(box);
  const next = at.field && fieldWith(at, box, value);
  if (next === undefined) return null;
  const was = { net: structuredClone(net), render: { ...render } };
  try {
    store(at, next);
    return sceneURLOf(body(), renderQuery());
  } finally {
    net = was.net;
    render = was.render;
  }
}

async function askAhead() {
  const box = document.activeElement;
  if (!settled || !drawn || box?.type !== "number" || !form.contains(box) || box.value === "") return;
  const mine = serial;
  const step = Number(box.step) || 1;
  for (const value of [Number(box.value) + step, Number(box.value) - step]) {
    if ((box.min !== "" && value < Number(box.min)) || (box.max !== "" && value > Number(box.max))) continue;
    const url = urlWith(box, value);
    if (!url || ahead.has(url)) continue;
    const stop = new AbortController();
    const guess = { index: player.index, stop };
    guess.still = getJSON(`${url}&still=${guess.index}`, { headers: { Purpose: "prefetch" }, priority: "low", signal: stop.signal });
    ahead.set(url, guess);
    await guess.still.catch(() => null);
    if (mine !== serial || document.activeElement !== box) return;
  }
}

/** The numbers and one frame painted; every other frame is empty until the whole scene comes (animate). */
function show(spec, network, still, extra) {
  const permalink = withLang(network.query + (extra ? `&${extra}` : ""));
  const frames = still.meta.steps.map((_, i) => (i === still.meta.still ? still.frames[0] : { ms: still.frames[0].ms, items: [] }));
  const scene = { ...still, frames };
  drawn = { body: spec, network, scene, query: permalink };
  player.index = still.meta.still;   // the frame asked for, or the last (a still asked ahead: the frame then on screen)
  fieldCache = new Map();
  $("#stage").classList.remove("stale");
  paint(scene, false);
  writeRender();
  $("#scrub").max = Math.max(frames.length - 1, 0);
  follow(`/network?${permalink}`);
  showNumbers(network);
  showCompare(network.query);
  share(permalink, scene);
  setStatus(`${network.input_shape.join("×")} → ${network.output_shape.join("×")} · ${network.layer_numbers.length} ${t("net_layers")} · ${frames.length} ${t("net_frames")}`);
  document.dispatchEvent(new CustomEvent("convplay:drawn", { detail: { layers: network.layer_numbers.length, frames: frames.length } }));
}

/** The whole scene: the same picture, every frame, and every cell to hover. */
function animate(scene) {
  drawn.scene = scene;
  paint(scene);
  // the cell under the mouse (its hit area was stale on the still), else the one tapped, is highlighted
  const under = view.hitLayer.querySelector(".hit:hover")?.dataset.id;
  if (under || hovered) hover(under || hovered);
  document.dispatchEvent(new CustomEvent("convplay:animated", { detail: { frames: scene.frames.length } }));
}

function paint(scene, hits = true) {
  view.setScene(scene, { hits });   // the SVG is kept from scene to scene: its shading layer is made once
  if (!view.svg.querySelector("g.shade")) view.overlay.insertAdjacentHTML("beforebegin", '<g class="shade"></g>');
  shade();
  player.load(scene.frames);
}

// ---- messages --------------------------------------------------------------------------------
function clearErrors() {
  for (const el of $$(".error", form)) el.textContent = "";
  for (const el of $$(".field.invalid", form)) el.classList.remove("invalid");
}

/** A refusal under the control it names: `layers[1].groups`, `layers[2]`, `input_size`. */
function refuse(detail) {
  const m = /^layers\[(\d+)\](?:\.(\w+))?/.exec(detail.param || "");
  let target = null;
  if (m) {
    const li = $(`li[data-layer="${m[1]}"]`);
    const box = m[2] && li?.querySelector(`[data-param="${m[2]}"]`);
    target = box && !box.hidden ? box.querySelector(".error") : li?.querySelector(".layer-error");
    box?.classList.add("invalid");
  } else {
    const box = $(`#net-fields [data-param="${detail.param}"]`);
    target = box ? box.querySelector(".error") : $("#err-layers");
  }
  if (target) target.textContent = detail.msg;
  $("#stage").classList.toggle("stale", drawn !== null);
  setStatus(`${t("cannot")} ${detail.msg}`, true);
}

function setStatus(text, bad = false) {
  $("#status").textContent = text;
  $("#status").classList.toggle("bad", bad);
}

// ---- panels ------------------------------------------------------------------------------------
const fmt = (v) => (Array.isArray(v) ? v.join(" × ") : v === null || v === undefined ? "–" : String(v));

function showNumbers(network) {
  const heads = [t("net_layer"), t("net_output"), t("net_size"), t("net_jump"), t("net_start"), t("net_exact"), t("arithmetic")];
  const rows = network.receptive_field.map((rf, i) => {
    const layer = network.layer_numbers[i];
    // a transposed or resampling layer's field comes from the taps: its words are the page's, its numbers the API's
    const said = rf.rule === "taps"
      ? rf.substituted.map((s, a) => ({ ...s, size: `${t("net_taps_size")} = ${rf.exact_size[a]}`, start: s.start && `${t("net_taps_start")} = ${rf.start[a]}` }))
      : rf.substituted;
    const lines = said.map((s) => [s.size, s.jump, s.start].filter(Boolean).map((x) => `<code>${esc(x)}</code>`).join("<br>"));
    const cells = [`layers[${i}]<br><code>${esc(layer.arithmetic.torch)}</code>`, fmt(layer.output_shape), fmt(rf.size), fmt(rf.jump), fmt(rf.start), fmt(rf.exact_size), lines.join("<hr>")];
    return `<tr>${cells.map((cell, n) => `<td data-label="${esc(heads[n])}">${cell}</td>`).join("")}</tr>`;
  });
  $("#rf").innerHTML = `<thead><tr>${heads.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody>`;
  $("#totals").innerHTML = [[t("parameters"), network.params.toLocaleString()], [t("macs"), network.macs.toLocaleString()]]
    .map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("");
  $("#torch-line").textContent = `nn.Sequential(${network.layer_numbers.map((l) => l.arithmetic.torch).join(", ")})`;
}

/** A preset's numbers side by side, when the network on screen is one of its stacks. */
function showCompare(q) {
  const preset = PAGE.presets.find((p) => p.sides.some((s) => s.query === q));
  $("#compare-panel").hidden = !preset;
  if (!preset) return;
  $("#lesson").textContent = say(preset.title) + ": " + say(preset.lesson);
  const cells = (tag, texts) => texts.map((text) => "<" + tag + ">" + text + "</" + tag + ">").join("");
  const ratio = (value) => (preset.ratio ? [value === undefined ? "" : value.toFixed(4)] : []);
  const head = "<tr><th></th>" + cells("th", [...preset.sides.map((s) => esc(say(s.label))), ...(preset.ratio ? [t("net_ratio")] : [])]) + "</tr>";
  const row = (name, pick, value) => "<tr><th>" + name + "</th>" + cells("td", [...preset.sides.map((s) => fmt(pick(s))), ...ratio(value)]) + "</tr>";
  $("#compare").innerHTML = head
    + row(t("net_output"), (s) => s.output_shape)
    + row(t("parameters"), (s) => s.params, preset.ratio?.params)
    + row(t("macs"), (s) => s.macs, preset.ratio?.macs)
    + row(t("net_size"), (s) => s.receptive_field.size)
    + row(t("net_exact"), (s) => s.receptive_field.exact_size);
}

function share(permalink, scene) {
  const origin = location.origin;
  const gif = `${origin}/api/v1/network/animation.gif?${permalink}`;
  $("#share-gif").value = gif;
  $("#share-iframe").value = `<iframe src="${origin}/network/embed?${permalink}" width="${scene.width}" height="${scene.height + 56}" style="border:0;max-width:100%" loading="lazy"></iframe>`;
  $("#share-md").value = `![network](${gif})`;
  setDownloads(permalink, player.index);
}

$("#downloads").innerHTML = FORMATS.filter((f) => f.available !== false)
  .map((f) => `<a id="dl-${f.name}" data-format="${f.name}"${f.animated === false ? " data-still" : ""} download>${f.label || f.name.toUpperCase()}</a>`).join(" ");

function setDownloads(permalink, frame) {
  for (const a of $$("#downloads a")) a.href = `/api/v1/network/animation.${a.dataset.format}?${permalink}` + ("still" in a.dataset ? "&frame=" + frame : "");
}

// ---- shading by paths (the checkerboard) and hover ---------------------------------------------
function cellPolys(m, values, style) {
  let out = "";
  values.forEach((plane, c) => plane.forEach((row, y) => row.forEach((v, x) => {
    const p = drawn.scene.polys[`m${m}:${c}:${y}:${x}`];
    if (p) out += style(p, v);
  })));
  return out;
}

function shade() {
  const layer = view.svg?.querySelector("g.shade");
  if (!layer) return;
  if (!$("#overlap").checked) {
    layer.innerHTML = "";
    return;
  }
  let out = "";
  drawn.network.overlap.forEach((values, i) => {
    const most = Math.max(...values.flat(2), 1);
    out += cellPolys(i + 1, values, (p, v) => {
      const [cx, cy] = centre(p);
      return `<polygon points="${p.map((q) => q.join(",")).join(" ")}" fill="${COLOURS.shade}" fill-opacity="${(0.85 * v / most).toFixed(3)}"/>`
        + `<text x="${cx}" y="${cy}" class="hl-label shade-label" text-anchor="middle" dominant-baseline="central">${v}</text>`;
    });
  });
  layer.innerHTML = out;
}

const centre = (p) => [p.reduce((s, q) => s + q[0], 0) / p.length, p.reduce((s, q) => s + q[1], 0) / p.length];

/** A box [top..bottom] x [left..right] in a map's own coordinates, as a polygon on that map's slice c. */
function boxPolygon(meta, c, box) {
  const s = meta.slices[c];
  const [r0, q0] = meta.offset;
  const rows = meta.grid[0];
  const at = (x, y) => [s.origin[0] + x * s.ex[0] + y * s.ey[0], s.origin[1] + x * s.ex[1] + y * s.ey[1]];
  const top = rows - (r0 + box.top), bottom = rows - (r0 + box.bottom) - 1, left = q0 + box.left, right = q0 + box.right + 1;
  return [at(left, top), at(right, top), at(right, bottom), at(left, bottom)];
}

async function fieldOf(id) {
  if (!fieldCache.has(id)) {
    const [, m, c, y, x] = /^m(\d+):(\d+):(\d+):(\d+)$/.exec(id).map(Number);
    fieldCache.set(id, getJSON(`/api/v1/network/field?lang=${lang}`, { method: "POST", body: JSON.stringify({ ...drawn.body, map: m, cell: [c, y, x] }) }));
  }
  return fieldCache.get(id);
}

let hovered = null;
async function hover(id) {
  hovered = id;
  if (!id || !drawn || !/^m\d+:/.test(id)) {
    view.clearHighlight();
    return;
  }
  const field = await fieldOf(id).catch((e) => ({ error: e.detail?.msg || String(e) }));
  if (hovered !== id) return;
  view.clearHighlight();
  if (field.error) {
    setStatus(field.error, true);
    return;
  }
  const ids = (list) => list.flatMap((entry) => entry.cells.map((cell) => `m${entry.map}:${cell.join(":")}`)).filter((x) => x !== id);
  view.highlight(ids(field.below), COLOURS.below, {}, "hl-below");
  view.highlight(ids(field.above), COLOURS.above, {}, "hl-above");
  view.highlight([id], "#073642", {}, "hl-self");
  const first = drawn.scene.meta.maps[0];
  if (field.theoretical_box && first.offset) {
    view.overlay.innerHTML += first.slices.map((_, c) => `<polygon class="hl-theory" points="${boxPolygon(first, c, field.theoretical_box).map((q) => q.join(",")).join(" ")}" fill="none" stroke="${COLOURS.theory}" stroke-width="2.5" stroke-dasharray="6 4"/>`).join("");
  }
  showField(field);
}

const boxText = (b) => (b ? `[${b.top}..${b.bottom}] × [${b.left}..${b.right}]` : "–");   // rows × columns, in input pixels

/** The effective receptive field: paths and |gradient| on the input, one small heatmap per channel. */
function showField(field) {
  $("#field-what").textContent = t("net_cell").replace("{map}", field.map).replace("{cell}", field.cell.join(", "))
    .replace("{exact}", boxText(field.exact_box)).replace("{theory}", boxText(field.theoretical_box));
  const maps = [["paths", t("net_paths"), field.paths], ["gradient", t("net_gradient"), field.gradient && field.gradient.map((p) => p.map((r) => r.map(Math.abs)))]];
  const none = '<p class="muted">' + esc(t("net_no_gradient")) + "</p>";
  $("#erf").innerHTML = maps.map(([key, name, values]) => `<figure data-erf="${key}"><figcaption>${esc(name)}</figcaption>${values ? heatmap(values) : none}</figure>`).join("");
}

function heatmap(values) {
  const most = Math.max(...values.flat(2).map((v) => (Number.isFinite(v) ? v : 0)), 1e-12);
  const h = values[0].length, w = values[0][0].length;
  const size = Math.max(4, Math.min(24, Math.floor(200 / Math.max(h, w))));
  return values.map((plane) => `<svg width="${w * size}" height="${h * size}" viewBox="0 0 ${w * size} ${h * size}" role="img">`
    + plane.map((row, y) => row.map((v, x) => `<rect x="${x * size}" y="${y * size}" width="${size}" height="${size}" fill="#cb4b16" fill-opacity="${(v / most).toFixed(3)}" stroke="#eee8d5" stroke-width="0.5"><title>[${y}, ${x}] ${v}</title></rect>`).join("")).join("")
    + "</svg>").join("");
}

// a stale hit area (the still's, until the whole scene places them) names a cell of the last network
const target = (e) => (view.hitsStale ? undefined : e.target.closest?.(".hit")?.dataset.id);
$("#stage").addEventListener("pointerover", (e) => e.pointerType === "mouse" && hover(target(e)));
$("#stage").addEventListener("pointerleave", (e) => e.pointerType === "mouse" && hover(null));
$("#stage").addEventListener("pointerdown", (e) => e.pointerType !== "mouse" && hover(target(e)));

// ---- player ------------------------------------------------------------------------------------
const player = pagePlayer((i) => {
  view.showFrame(i);
  if (drawn) setDownloads(drawn.query, i);
}, t);

// ---- controls ------------------------------------------------------------------------------------
let debounce = null;
/** Redraw after `delay` ms of quiet (typing), or at once: a committed change's requests go out first. */
function changed(delay = 40) {
  clearTimeout(debounce);
  if (delay) debounce = setTimeout(update, delay);
  else update();
}

$("#render-fields").insertAdjacentHTML("beforeend", RENDER.map(fieldHTML).join(""));
$("#preset").insertAdjacentHTML("beforeend", PAGE.presets.map((p) => `<optgroup label="${esc(say(p.title))}">`
  + p.sides.map((s, n) => `<option value="${esc(p.slug)}:${n}">${esc(say(s.label))}</option>`).join("") + "</optgroup>").join(""));

form.addEventListener("input", (e) => {
  const box = e.target;
  if (box.dataset.axis !== undefined && box.parentElement.querySelector("input[data-link]")?.checked) {
    for (const other of $$("input[data-axis]", box.parentElement)) if (other !== box) other.value = box.value;   // height = width
  }
  if (box.type === "number" && readInto(box)) changed();
});
form.addEventListener("change", (e) => {
  const el = e.target;
  if (el.id === "preset" || el.id === "overlap") return;
  const li = el.closest("li[data-layer]");
  if (el.classList.contains("layer-op")) {
    const i = Number(li.dataset.layer);
    net.layers[i] = switchOp(net.layers[i], el.value);
    li.outerHTML = layerHTML(net.layers[i], i);
    flowChannels();
  } else {
    if (el.dataset.kindOf) showPaddingKind(el.closest("[data-param]"));
    if (!readInto(el)) return;
  }
  $("#preset").value = "";
  changed(0);
  writeForm();   // while the requests travel
});
form.addEventListener("click", (e) => {
  const button = e.target.closest("button");
  const li = button?.closest("li[data-layer]");
  if (!li) return;
  const i = Number(li.dataset.layer);
  if ("remove" in button.dataset) net.layers.splice(i, 1);
  else if (button.dataset.move) {
    const j = i + Number(button.dataset.move);
    [net.layers[i], net.layers[j]] = [net.layers[j], net.layers[i]];
  } else if ("clear" in button.dataset) delete net.layers[i].values[button.closest("[data-param]").dataset.param];
  else return;
  buildForm();
  changed(0);
});
form.addEventListener("submit", (e) => e.preventDefault());
$("#add-layer").addEventListener("click", () => {
  net.layers.push(newLayer());
  buildForm();
  $(`li[data-layer="${net.layers.length - 1}"] .layer-op`).focus();
  changed(0);
});
$("#preset").addEventListener("change", (e) => {
  const [slug, n] = e.target.value.split(":");
  const preset = PAGE.presets.find((p) => p.slug === slug);
  net = load(preset ? preset.sides[Number(n)].spec : {});   // none: the blank page
  buildForm();
  player.index = 0;
  changed(0);
});
form.addEventListener("focusin", askAhead);
$("#overlap").addEventListener("change", shade);
for (const button of $$("button.copy")) {
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(source.value ?? source.textContent);
    } catch {
      source.select?.();
    }
    button.textContent = t("copied");
    setTimeout(() => (button.textContent = t("copy_text")), 1500);
  });
}

for (const [k, v] of new URLSearchParams(location.search)) {
  const field = RENDER.find((f) => f.name === k);
  if (field) render[k] = field.kind === "bool" ? v === "true" : field.kind === "real" || field.kind === "int" ? Number(v) : v;
}
net = load(PAGE.initial);
$("#preset").value = PAGE.preset;
buildForm();
update();
