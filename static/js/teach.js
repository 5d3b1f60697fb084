// The view switch: the forward pass, or one of the teaching views (matrix, im2col,
// backward) the embedded description lists, with where their pictures are served.
// Nothing here names a view, an operation or a field: all of it is in the description.

import { lang } from "./i18n.js";

const DESCRIPTION = JSON.parse(document.getElementById("ops").textContent).views;
const VIEWS = DESCRIPTION.views;
const PARAM = DESCRIPTION.param;
const FIRST = VIEWS[0].name;   // the forward pass, drawn by the ordinary endpoints

/** The view the address asks for (an unknown one: the forward pass). */
function asked() {
  const name = new URLSearchParams(location.search).get(PARAM);
  return VIEWS.some((v) => v.name === name) ? name : FIRST;
}

let current = asked();

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => values[k]);
const say = (text) => text[lang] || text.en;

/** The scene URL for a query (spec fields and render options). */
export const sceneURL = (query) => (current === FIRST ? `/api/v1/scene?${query}` : `${fill(DESCRIPTION.scene, { name: current })}?${query}`);

/** A download URL in `format` for the same query. */
export const animationURL = (format, query) =>
  (current === FIRST ? `/api/v1/animation.${format}?${query}` : `${fill(DESCRIPTION.animation, { name: current, format })}?${query}`);

/** The address of the page keeps the view (PARAM in its search string, unless it is the first view). */
export function keepIn(url) {
  url.searchParams.delete(PARAM);
  if (current !== FIRST) url.searchParams.set(PARAM, current);
  return url;
}

/** Read the view again from the address (Back and Forward). */
export function fromAddress() {
  current = asked();
  for (const input of document.querySelectorAll("#views input")) input.checked = input.value === current;
  widen();
}

/** A teaching picture is wide: on a narrow screen it scrolls instead of shrinking past reading. */
function widen() {
  document.getElementById("stage").classList.toggle("wide", current !== FIRST);
}

/** Radio buttons before `anchor`; `onChange` runs when another view is picked. */
export function mount(anchor, onChange) {
  const buttons = VIEWS.map((v) => `<label title="${say(v.doc).replace(/"/g, "&quot;")}"><input type="radio" name="${PARAM}" value="${v.name}"${v.name === current ? " checked" : ""}><span>${say(v.label)}</span></label>`).join("");
  anchor.insertAdjacentHTML("beforebegin", `<div id="views" class="views" role="radiogroup">${buttons}</div>`);
  widen();
  document.getElementById("views").addEventListener("change", (e) => {
    current = e.target.value;
    widen();
    onChange();
  });
}
