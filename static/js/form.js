// The settings form, built from the operations' description: one control per field kind.
//
// Each field becomes a `.field[data-param=<name>]` holding its controls and an
// `#err-<name>` message; labels come from the description in the page's language.

import { t, lang } from "./i18n.js";
import { parse } from "./spec-query.js";
import { editorHTML } from "./values.js";

export const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A description's text ({en, zh}) in the page's language. */
export const say = (text) => (text && (text[lang] || text.en)) || "";

const SIDES = ["top", "bottom", "left", "right"];
const STEP = { int: "1", pair: "1", padding: "1", real: "any", reals: "any" };

function bounds(field) {
  return `${field.low !== undefined ? ` min="${field.low}"` : ""}${field.high !== undefined ? ` max="${field.high}"` : ""} step="${STEP[field.kind] || "1"}"`;
}

function numberBox(field, attrs, aria) {
  const mode = STEP[field.kind] === "any" ? "decimal" : "numeric";
  return `<input type="number" inputmode="${mode}" name="${esc(field.name)}"${bounds(field)} ${attrs} aria-label="${esc(aria)}">`;
}

function twoBoxes(field, label) {
  const name = esc(field.name);
  return `${numberBox(field, 'data-axis="0"', `${label} (${t("height")})`)}<span aria-hidden="true">×</span>`
    + `${numberBox(field, 'data-axis="1"', `${label} (${t("width")})`)}`
    + `<label class="link" title="${esc(t("link"))}"><input type="checkbox" data-link="${name}" checked aria-label="${esc(t("link"))}"><span aria-hidden="true" class="link-mark">=</span></label>`;
}

/** The HTML of one field's controls; `editors`: arrays get the value editor, else (a page
 * without one) a note that the link gave them and a way to drop them. */
function controls(field, editors) {
  const name = esc(field.name);
  const label = say(field.label);
  const title = ` title="${esc(say(field.doc))}"`;
  switch (field.kind) {
    case "int":
    case "real":
      return `<label class="label" for="f-${name}"${title}>${esc(label)}</label>${numberBox(field, `id="f-${name}"`, label)}`;
    case "pair":
    case "reals":
      return `<span class="label" id="lbl-${name}"${title}>${esc(label)}</span><div class="pair" role="group" aria-labelledby="lbl-${name}">${twoBoxes(field, label)}</div>`;
    case "bool":
      return `<label class="check"${title}><input type="checkbox" name="${name}"> ${esc(label)}</label>`;
    case "choice":
      return `<label class="label" for="f-${name}"${title}>${esc(label)}</label><select id="f-${name}" name="${name}">`
        + field.choices.map((c) => `<option value="${esc(c.value)}">${esc(say(c.label))}</option>`).join("") + "</select>";
    case "padding": {
      const kinds = [["pair", t("pad_number")], ...(field.sides ? [["sides", t("pad_sides")]] : []),
        ...(field.words || []).map((w) => [w, t(`pad_${w}`) === `pad_${w}` ? w : t(`pad_${w}`)])];
      const menu = `<select id="${name}-kind" data-kind-of="${name}" aria-label="${esc(label)}"${kinds.length > 1 ? "" : " hidden"}>`
        + kinds.map(([v, l]) => `<option value="${esc(v)}">${esc(l)}</option>`).join("") + "</select>";
      const sides = field.sides ? `<span class="pad pad-sides">${SIDES.map((s) => `<label>${esc(t(s))} ${numberBox(field, `data-side="${s}"`, `${label} (${t(s)})`)}</label>`).join("")}</span>` : "";
      return `<span class="label" id="lbl-${name}"${title}>${esc(label)}</span><div class="row" role="group" aria-labelledby="lbl-${name}">`
        + `${menu}<span class="pad pad-pair pair">${twoBoxes(field, label)}</span>${sides}</div>`;
    }
    case "array":
      if (editors) return editorHTML(field);   // values.js fills it after each drawing
      return `<span class="label"${title}>${esc(label)}</span><span class="given">${esc(t("values_given"))}</span> `
        + `<button type="button" class="small" data-clear>${esc(t("clear"))}</button>`;
    default:
      return "";
  }
}

/** One field's block; ints and reals sit side by side. */
export function fieldHTML(field, { editors = false } = {}) {
  const compact = field.kind === "int" || field.kind === "real" ? " compact" : "";
  return `<div class="field${compact}" data-param="${esc(field.name)}">${controls(field, editors)}<p class="error" id="err-${esc(field.name)}" role="alert"></p></div>`;
}

/** The chooser between the two fields of a mutually exclusive pair. */
export function pickHTML(pair, fields) {
  const options = pair.map((name) => `<option value="${esc(name)}">${esc(say(fields.find((f) => f.name === name).label))}</option>`).join("");
  return `<div class="field" data-pick="${esc(pair.join("|"))}"><label class="label">${esc(t("either"))} <select>${options}</select></label></div>`;
}

const boxes = (el, sel) => [...el.querySelectorAll(sel)];

function readNumber(field, box) {
  const kind = STEP[field.kind] === "any" ? "real" : "int";
  if (box.value.trim() === "") return { empty: true };
  const value = parse({ kind }, box.value);
  return value === undefined ? { error: t(kind === "int" ? "need_whole" : "need_number") } : { value };
}

function readTwo(field, el) {
  const [a, b] = boxes(el, "input[data-axis]").map((box) => readNumber(field, box));
  if (a.empty && b.empty && field.optional) return { value: null };
  for (const r of [a, b]) {
    if (r.error) return r;
    if (r.empty) return { error: t("need_value") };
  }
  return { value: [a.value, b.value] };
}

/** The value a field's controls hold: {value} or {error} (typed text that is no value). */
export function readField(field, el) {
  switch (field.kind) {
    case "int":
    case "real": {
      const r = readNumber(field, el.querySelector("input"));
      if (r.empty) return field.optional ? { value: null } : { error: t("need_value") };
      return r;
    }
    case "pair":
    case "reals":
      return readTwo(field, el.querySelector(".pair"));
    case "bool":
      return { value: el.querySelector("input").checked };
    case "choice":
      return { value: el.querySelector("select").value };
    case "padding": {
      const kind = el.querySelector("[data-kind-of]").value;
      if (kind === "pair") return readTwo(field, el.querySelector(".pad-pair"));
      if (kind !== "sides") return { value: kind };
      const out = {};
      for (const box of boxes(el, "input[data-side]")) {
        const r = readNumber(field, box);
        if (r.error || r.empty) return r.error ? r : { error: t("need_value") };
        out[box.dataset.side] = r.value;
      }
      return { value: out };
    }
    default:
      return { value: null };
  }
}

function writeTwo(el, value) {
  const [a, b] = boxes(el, "input[data-axis]");
  a.value = value?.[0] ?? "";
  b.value = value?.[1] ?? "";
  el.querySelector("input[data-link]").checked = !value || value[0] === value[1];
}

/** Show a value in a field's controls. */
export function writeField(field, el, value) {
  switch (field.kind) {
    case "int":
    case "real":
      el.querySelector("input").value = value ?? "";
      break;
    case "pair":
    case "reals":
      writeTwo(el.querySelector(".pair"), value);
      break;
    case "bool":
      el.querySelector("input").checked = !!value;
      break;
    case "choice":
      el.querySelector("select").value = value;
      break;
    case "padding": {
      const kind = typeof value === "string" ? value : Array.isArray(value) ? "pair" : "sides";
      el.querySelector("[data-kind-of]").value = kind;
      writeTwo(el.querySelector(".pad-pair"), Array.isArray(value) ? value : [0, 0]);
      for (const box of boxes(el, "input[data-side]")) box.value = kind === "sides" ? value[box.dataset.side] : 0;
      showPaddingKind(el);
      break;
    }
    default:
  }
}

/** Padding: show the boxes of the chosen form (numbers or per side; a word has none). */
export function showPaddingKind(el) {
  const kind = el.querySelector("[data-kind-of]")?.value;
  for (const part of boxes(el, ".pad")) part.hidden = !part.classList.contains(`pad-${kind}`);
}
