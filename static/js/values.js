// The value editor: each array field of the operation (the description's kind "array")
// edited in place: a cell typed into, an array pasted as NumPy / PyTorch writes it,
// random whole numbers from a seed, a reset to the defaults; the image kernels for a
// field marked `editor: "kernel"`, an on/off switch for one marked "per_output_channel".
//
// The editor shows the values the last trace used (defaults included), so what is
// edited is exactly what is drawn; an edit sends the whole array in PyTorch's layout.

import { t } from "./i18n.js";
import { esc, say } from "./form.js";

const KERNELS = JSON.parse(document.getElementById("kernels")?.textContent || "[]");
/** Beyond this many values a grid of boxes is no help: paste instead. */
export const MAX_CELLS = 1024;
/** Beyond this many values the boxes start folded away: unseen boxes cost every redraw's paint. */
const OPEN_CELLS = 64;
const RANDOM_RANGE = [-4, 4];   // random values: whole numbers, small enough to add up by hand

export function shapeOf(a) {
  const shape = [];
  for (let x = a; Array.isArray(x); x = x[0]) shape.push(x.length);
  return shape;
}

/** A nested array of `shape` whose entry at index i is f(i). */
export function build(shape, f, at = []) {
  if (!shape.length) return f(at);
  return Array.from({ length: shape[0] }, (_, i) => build(shape.slice(1), f, [...at, i]));
}

/** Every index of a shape, in row-major order. */
function indices(shape) {
  const out = [];
  build(shape, (at) => out.push(at));
  return out;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** A number as typed in a cell: 1.5, -2, 1e-3 or a fraction 1/16. */
export function parseNumber(text) {
  const s = String(text).trim();
  const frac = /^(-?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(s);
  if (frac) return Number(frac[2]) ? Number(frac[1]) / Number(frac[2]) : undefined;
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s) ? Number(s) : undefined;
}

/** An array literal as NumPy or PyTorch print or take it (np.array([[1., 2.]]), torch.tensor(...),
 * tuples, trailing commas, dtype=...), or rows of numbers one per line; undefined if it is none. */
export function parseLiteral(text) {
  let s = String(text).trim();
  s = s.replace(/^\w+(\.\w+)*\s*\(/, "").replace(/\)\s*$/, "");       // np.array( ... ) / torch.tensor( ... )
  s = s.replace(/,\s*(dtype|requires_grad|device)\s*=[^\]]*$/, "");   // trailing keyword arguments
  if (!/^[[(]/.test(s)) {                                              // rows of numbers
    const rows = s.split(/\n|;/).map((r) => r.trim()).filter(Boolean).map((r) => r.split(/[\s,]+/).map(parseNumber));
    if (!rows.length || rows.some((r) => r.some((v) => v === undefined))) return undefined;
    return rows.length === 1 ? rows[0] : rows;
  }
  s = s.replace(/\(/g, "[").replace(/\)/g, "]").replace(/,\s*]/g, "]")
    .replace(/(\d)\.(?!\d)/g, "$1.0").replace(/(^|[[,\s-])\.(\d)/g, "$10.$2");
  try {
    const value = JSON.parse(s);
    const numbers = (x) => (Array.isArray(x) ? x.length > 0 && x.every(numbers) : Number.isFinite(x));
    return Array.isArray(value) && numbers(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Whole numbers in [lo, hi] (RANDOM_RANGE unless the field has bounds) from a seed (mulberry32: the same seed gives the same values everywhere). */
export function randomArray(shape, seed, [lo, hi] = RANDOM_RANGE) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return build(shape, () => lo + Math.floor(next() * (hi - lo + 1)));
}

/** Every [kh][kw] slice of an array of `shape` set to the kernel's weights. */
export function withKernel(shape, kernel) {
  return build(shape, (at) => kernel.weight[at[at.length - 2]][at[at.length - 1]]);
}

const show = (v) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));

/** The editor's frame for one array field; its grid is filled after each drawing (fillEditor). */
export function editorHTML(field) {
  const name = esc(field.name);
  const label = esc(say(field.label));
  const onOff = field.editor === "per_output_channel"
    ? `<label class="check"><input type="checkbox" data-ed="on"> ${label}</label>` : `<span class="label">${label}</span>`;
  const kernels = field.editor === "kernel"
    ? `<select data-ed="kernel" aria-label="${esc(t("ed_kernel"))}"><option value="">${esc(t("ed_kernel"))}…</option>`
      + KERNELS.map((k) => `<option value="${esc(k.name)}" data-size="${k.size.join("x")}">${esc(say(k.label))}</option>`).join("") + "</select>"
    : "";
  return `<div class="values" title="${esc(say(field.doc))}">${onOff} <span class="vstate" data-ed="state"></span>`
    + `<details class="vbox" data-ed="box" open><summary>${esc(t("ed_values"))}</summary><div class="vgrid" data-ed="grid"></div></details>`
    + `<div class="vtools" data-ed="tools">${kernels}`
    + `<label>${esc(t("ed_seed"))} <input type="number" data-ed="seed" value="1" min="0" step="1" inputmode="numeric"></label>`
    + `<button type="button" class="small" data-ed="random">${esc(t("ed_random"))}</button>`
    + `<button type="button" class="small" data-ed="reset">${esc(t("ed_reset"))}</button></div>`
    + `<details class="vpaste" data-ed="tools"><summary>${esc(t("ed_paste"))}</summary>`
    + `<textarea data-ed="paste" rows="3" spellcheck="false" aria-label="${esc(t("ed_paste"))} (${name})" placeholder="np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])"></textarea>`
    + `<button type="button" class="small" data-ed="apply">${esc(t("ed_apply"))}</button></details></div>`;
}

const cellLabel = (field, at) => `${say(field.label)} [${at.join(", ")}]`;

/** The grid's boxes laid out for `shape`, reusing the slices, rows and boxes already there
 * (a new kernel size adds or drops a row and a column, it does not rebuild 25 boxes). */
function layGrid(grid, field, shape) {
  const rank = shape.length;
  const rows = rank >= 2 ? shape[rank - 2] : 1;
  const cols = shape[rank - 1];
  const leads = rank > 2 ? indices(shape.slice(0, -2)) : [[]];
  if (grid.querySelector(".vnote")) grid.textContent = "";
  while (grid.childElementCount > leads.length) grid.lastElementChild.remove();
  leads.forEach((lead, i) => {
    let figure = grid.children[i];
    if (!figure) {
      figure = grid.appendChild(document.createElement("figure"));
      figure.className = "vslice";
      figure.append(document.createElement("table"));
    }
    let caption = figure.querySelector("figcaption");
    if (lead.length && !caption) caption = figure.insertBefore(document.createElement("figcaption"), figure.firstChild);
    if (!lead.length) caption?.remove();
    else if (caption.textContent !== `[${lead.join(", ")}]`) caption.textContent = `[${lead.join(", ")}]`;
    const table = figure.querySelector("table");
    while (table.rows.length > rows) table.deleteRow(-1);
    while (table.rows.length < rows) table.insertRow();
    for (let y = 0; y < rows; y++) {
      const tr = table.rows[y];
      while (tr.cells.length > cols) tr.deleteCell(-1);
      while (tr.cells.length < cols) {
        const input = tr.insertCell().appendChild(document.createElement("input"));
        input.type = "text";
        input.inputMode = "decimal";
      }
      for (let x = 0; x < cols; x++) {
        const input = tr.cells[x].firstChild;
        const at = rank === 1 ? [x] : [...lead, y, x];
        if (input.dataset.at !== at.join(",")) {
          input.dataset.at = at.join(",");
          input.setAttribute("aria-label", cellLabel(field, at));
        }
      }
    }
  });
  grid.dataset.laid = shape.join(",");
}

/** Set a property only when it differs: a write of the same value still costs the browser style and layout. */
function put(el, key, v) {
  if (el[key] !== v) el[key] = v;
}

// a folded editor's value, written into its boxes when it is unfolded (watchEditors)
const waiting = new WeakMap();

/** Show `value` (the trace's, null when the field is off) in a field's editor. `given`: the user set it.
 * Only what differs from the screen is written: a box a rejected edit left holding other text is
 * rewritten (it is compared with what it holds, not with what was last put there). A folded
 * editor's boxes are written when it is unfolded. The grid's data-shape is the value's shape
 * (empty: no value, or too many to edit by box). */
export function fillEditor(box, field, value, { given }) {
  const grid = box.querySelector("[data-ed=grid]");
  const on = box.querySelector("[data-ed=on]");
  if (on) put(on, "checked", value !== null && value !== undefined);
  for (const el of box.querySelectorAll("[data-ed=tools], [data-ed=box]")) put(el, "hidden", value === null || value === undefined);
  put(box.querySelector("[data-ed=state]"), "textContent", value ? `${shapeOf(value).join("×")} · ${t(given ? "ed_yours" : "ed_default")}` : "");
  if (!value) {
    grid.dataset.shape = grid.dataset.laid = "";
    waiting.delete(box);
    if (grid.firstChild) grid.textContent = "";
    return;
  }
  const shape = shapeOf(value);
  const kh = shape.length >= 2 ? shape[shape.length - 2] : 1;
  const kw = shape[shape.length - 1];
  const menu = box.querySelector("[data-ed=kernel]");
  if (menu) {
    if (menu.dataset.size !== `${kh}x${kw}`) {
      menu.dataset.size = `${kh}x${kw}`;
      for (const option of menu.querySelectorAll("option[data-size]")) option.disabled = option.dataset.size !== `${kh}x${kw}`;
    }
    const fits = (k) => k.size.join("x") === `${kh}x${kw}`;
    put(menu, "value", KERNELS.find((k) => fits(k) && same(withKernel(shape, k), value))?.name ?? "");   // a kernel reached by a link is named
  }
  const count = shape.reduce((a, b) => a * b, 1);
  grid.dataset.shape = count > MAX_CELLS ? "" : shape.join(",");
  const fold = box.querySelector("[data-ed=box]");
  if (!fold.dataset.chosen) put(fold, "open", count <= OPEN_CELLS);   // until the user folds or unfolds it
  if (!fold.open) {
    waiting.set(box, [field, value]);
    return;
  }
  waiting.delete(box);
  fillGrid(grid, field, value, shape, count);
}

function fillGrid(grid, field, value, shape, count) {
  if (count > MAX_CELLS) {
    grid.dataset.laid = "";
    grid.innerHTML = `<p class="vnote">${esc(t("ed_too_many").replace("{n}", count))}</p>`;
    return;
  }
  if (grid.dataset.laid !== shape.join(",")) layGrid(grid, field, shape);
  // the boxes are in row-major order, as the flattened array; the box being typed in keeps what is typed
  const focused = grid.contains(document.activeElement) ? document.activeElement : null;
  const flat = value.flat(Infinity);
  const cells = grid.getElementsByTagName("input");
  for (let i = 0; i < flat.length; i++) {
    if (cells[i] !== focused) put(cells[i], "value", show(flat[i]));
  }
}

/** Unfolding an editor writes the value it was given while folded; folding or unfolding by hand is kept. */
export function watchEditors(root) {
  root.addEventListener("click", (e) => {
    const fold = e.target.closest?.("[data-ed=box] > summary")?.parentElement;
    if (fold) fold.dataset.chosen = "yes";
  });
  root.addEventListener("toggle", (e) => {
    const box = e.target.matches?.("[data-ed=box]") && e.target.open ? e.target.closest("[data-param]") : null;
    const [field, value] = waiting.get(box) || [];
    if (!field) return;
    waiting.delete(box);
    const shape = shapeOf(value);
    fillGrid(box.querySelector("[data-ed=grid]"), field, value, shape, shape.reduce((a, b) => a * b, 1));
  }, true);   // toggle does not bubble
}

/** The grid's contents as an array ({value}), or {error} naming the first box that holds no number. */
export function readGrid(box) {
  const grid = box.querySelector("[data-ed=grid]");
  if (!grid.dataset.shape || grid.dataset.laid !== grid.dataset.shape) return { error: t("ed_bad") };
  const shape = grid.dataset.shape.split(",").map(Number);
  const cells = new Map([...grid.querySelectorAll("input[data-at]")].map((el) => [el.dataset.at, el]));
  let bad = null;
  const value = build(shape, (at) => {
    const v = parseNumber(cells.get(at.join(",")).value);
    if (v === undefined && !bad) bad = cells.get(at.join(","));
    return v;
  });
  return bad ? { error: `[${bad.dataset.at}]: ${t("need_number")}`, cell: bad } : { value, shape };
}

/** What an editor action makes of the field's value: {value} (null: back to the default), or {error}. */
export function act(box, field, action, { outChannels }) {
  const grid = box.querySelector("[data-ed=grid]");
  const shape = grid.dataset.shape ? grid.dataset.shape.split(",").map(Number) : null;
  switch (action) {
    case "on":
      return { value: box.querySelector("[data-ed=on]").checked ? build([outChannels], () => 0) : null };
    case "reset":
      return { value: null };
    case "random": {
      const seed = parseNumber(box.querySelector("[data-ed=seed]").value);
      if (!Number.isInteger(seed) || seed < 0) return { error: `${t("ed_seed")}: ${t("need_whole")}` };
      const range = [field.low ?? RANDOM_RANGE[0], field.high ?? RANDOM_RANGE[1]];   // a field's bounds, where it has them
      return shape ? { value: randomArray(shape, seed, range) } : { error: t("ed_bad") };
    }
    case "kernel": {
      const kernel = KERNELS.find((k) => k.name === box.querySelector("[data-ed=kernel]").value);
      return kernel && shape ? { value: withKernel(shape, kernel), kernel: kernel.name } : { value: undefined };
    }
    case "apply": {
      const value = parseLiteral(box.querySelector("[data-ed=paste]").value);
      return value ? { value } : { error: t("ed_bad") };
    }
    case "cell":
      return readGrid(box);
    default:
      return { value: undefined };
  }
}
