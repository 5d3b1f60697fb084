// The playground's state <-> the query string, with the API's own names and forms.
//
// Nothing here lists operations or fields: they come from the description the page
// embeds (the same JSON as GET /api/v1/ops). This file knows the field *kinds*.
//
// Arrays of values (kind "array") are edited by values.js and carried as JSON.
//
// A state is { op, values, render, pick }: `values` and `render` hold only what the
// user set (a value equal to its default is left unset, so a field with `default_from`
// follows its source until set to something else); `pick` says which field of each
// mutually exclusive pair the form offers.

const DESCRIPTION = JSON.parse(document.getElementById("ops").textContent);

/** Operations in menu order; the render options a page sets (an optional one, such as the
 * frame of a still, is picked per download, not kept; the labels' language is the page's);
 * output formats. */
export const OPS = DESCRIPTION.ops;
export const RENDER = DESCRIPTION.render.filter((f) => !f.optional && f.name !== "lang");
export const FORMATS = DESCRIPTION.formats;
export const opNamed = (name) => OPS.find((op) => op.name === name);

/** Two-number kinds, kept as [h, w] in a state. */
const TWO = new Set(["pair", "reals", "padding"]);

/** A declared value in the state's spelling: numbers of two-number kinds become [n, n]. */
function normal(field, value) {
  if (value === null || value === undefined) return null;
  if (TWO.has(field.kind) && typeof value === "number") return [value, value];
  return value;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Whether `value` is one this field takes (after an operation switch it may not be). */
function fits(field, value) {
  if (field.kind === "choice") return field.choices.some((c) => c.value === value);
  if (field.kind === "padding" && typeof value === "string") return (field.words || []).includes(value);
  if (field.kind === "padding" && !Array.isArray(value) && typeof value === "object") return !!field.sides;
  return true;
}

const fieldOf = (op, name) => op.fields.find((f) => f.name === name);

/** What a field holds when the user has not set it: its default, or its source's value. */
function defaultOf(state, op, field) {
  if (field.default_from) {
    const source = fieldOf(op, field.default_from);
    if (source) return valueOf(state, op, source);
  }
  return normal(field, field.default);
}

export function valueOf(state, op, field) {
  const own = state.values[field.name];
  return own === undefined ? defaultOf(state, op, field) : own;
}

export const renderValue = (state, field) => state.render[field.name] ?? normal(field, field.default);

/** Set a spec field; a value equal to the default is left unset (so it keeps following). */
export function setValue(state, op, field, value) {
  delete state.values[field.name];
  if (!same(value, defaultOf(state, op, field))) state.values[field.name] = value;
}

export function setRender(state, field, value) {
  delete state.render[field.name];
  if (!same(value, normal(field, field.default))) state.render[field.name] = value;
}

/** Of a mutually exclusive pair, the one the form offers: chosen, else given, else one with a default. */
export function picked(state, op, pair) {
  const key = pair.join("|");
  if (pair.includes(state.pick[key])) return state.pick[key];
  const given = pair.find((name) => state.values[name] !== undefined);
  if (given) return given;
  return pair.find((name) => fieldOf(op, name)?.default !== null && fieldOf(op, name)?.default !== undefined) ?? pair[0];
}

/** Whether a field applies now: its `when` holds and, in an exclusive pair, it is the one offered. */
export function applies(state, op, field) {
  for (const [other, allowed] of Object.entries(field.when || {})) {
    const source = fieldOf(op, other);
    if (!source || !allowed.includes(valueOf(state, op, source))) return false;
  }
  const pair = (op.mutually_exclusive || []).find((p) => p.includes(field.name));
  return !pair || picked(state, op, pair) === field.name;
}

// ---- text <-> values ----------------------------------------------------------------------
const WHOLE = /^\s*-?\d+\s*$/;
const NUMBER = /^\s*-?(\d+(\.\d*)?|\.\d+)(e-?\d+)?\s*$/i;

function parseTwo(text, pattern) {
  const parts = String(text).split(/[,x×]/);
  if (parts.length > 2 || !parts.every((p) => pattern.test(p))) return undefined;
  const nums = parts.map(Number);
  return nums.length === 1 ? [nums[0], nums[0]] : nums;
}

function parseSides(text) {
  const out = { top: 0, bottom: 0, left: 0, right: 0 };
  for (const part of text.split(",")) {
    const [k, v] = part.split(":").map((s) => s.trim());
    if (!(k in out) || !WHOLE.test(v || "")) return undefined;
    out[k] = Number(v);
  }
  return out;
}

/** A query value for a field, or undefined when it cannot be one (then the default stays). */
export function parse(field, text) {
  switch (field.kind) {
    case "int": return WHOLE.test(text) ? Number(text) : undefined;
    case "real": return NUMBER.test(text) ? Number(text) : undefined;
    case "pair": return parseTwo(text, WHOLE);
    case "reals": return parseTwo(text, NUMBER);
    case "bool": return { true: true, 1: true, false: false, 0: false }[text];
    case "choice": return field.choices.some((c) => c.value === text) ? text : undefined;
    case "padding":
      if ((field.words || []).includes(text)) return text;
      if (text.includes(":")) return field.sides ? parseSides(text) : undefined;
      return parseTwo(text, WHOLE);
    case "array": {
      try {
        const value = JSON.parse(text);
        return Array.isArray(value) ? value : undefined;
      } catch {
        return undefined;
      }
    }
    default: return undefined;
  }
}

const twoText = (p) => (p[0] === p[1] ? String(p[0]) : `${p[0]},${p[1]}`);

function textOf(field, value) {
  if (field.kind === "array") return JSON.stringify(value);
  if (Array.isArray(value)) return twoText(value);
  if (value !== null && typeof value === "object") return `top:${value.top},bottom:${value.bottom},left:${value.left},right:${value.right}`;
  return String(value);
}

/** A query as text, compactly: brackets, commas and colons left as they are (the WHATWG URL
 * standard keeps them in a query), so arrays of values read as the JSON they are. */
export const queryText = (q) => q.toString().replace(/%(5B|5D|2C|3A)/gi, (m) => decodeURIComponent(m));

// ---- the permalink codec --------------------------------------------------------------------
export function fromQuery(search) {
  const q = new URLSearchParams(search);
  const op = opNamed(q.get("op")) || OPS[0];
  const state = { op: op.name, values: {}, render: {}, pick: {} };
  for (const [key, raw] of q) {
    const field = op.fields.find((f) => f.name === key);
    const option = RENDER.find((f) => f.name === key);
    const value = field ? parse(field, raw) : option ? parse(option, raw) : undefined;
    if (value === undefined) continue;   // unknown keys, other operations' fields, unreadable values
    if (field) state.values[key] = value;
    else state.render[key] = value;
  }
  for (const pair of op.mutually_exclusive || []) state.pick[pair.join("|")] = picked(state, op, pair);
  // in declaration order, so a field that follows another compares with its final value
  for (const field of op.fields) if (field.name in state.values) setValue(state, op, field, state.values[field.name]);
  for (const field of RENDER) if (field.name in state.render) setRender(state, field, state.render[field.name]);
  return state;
}

/** Fields not set by the user that the arrays given imply (their shapes give them). */
export function impliedBy(state, op) {
  return new Set(op.fields.filter((f) => state.values[f.name] !== undefined).flatMap((f) => f.implies || []).filter((n) => state.values[n] === undefined));
}

/** The query for a state: the op's own fields that apply, set ones only (and `always` ones). */
export function toQuery(state, { render = true } = {}) {
  const op = opNamed(state.op);
  const q = new URLSearchParams();
  q.set("op", op.name);
  const implied = impliedBy(state, op);
  for (const field of op.fields) {
    if (!applies(state, op, field)) continue;
    if (state.values[field.name] === undefined && (!field.always || implied.has(field.name))) continue;
    const value = valueOf(state, op, field);
    if (value !== null) q.set(field.name, textOf(field, value));
  }
  if (render) for (const field of RENDER) if (state.render[field.name] !== undefined) q.set(field.name, textOf(field, state.render[field.name]));
  return q;
}

/** Switch operation: keep what the new one takes as set; drop what it cannot take. */
export function switchOp(state, name) {
  const op = opNamed(name);
  const next = { ...state, op: op.name, values: { ...state.values }, pick: { ...state.pick } };
  for (const field of op.fields) {
    const value = next.values[field.name];
    if (value !== undefined && !fits(field, value)) delete next.values[field.name];
  }
  for (const field of op.fields) if (field.name in next.values) setValue(next, op, field, next.values[field.name]);
  return next;
}
