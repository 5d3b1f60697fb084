// Draws a scene (see app/render/SCENE.md) as SVG: the base once, then per frame the
// timed items alive in it and the frame's own items, and an overlay for hover
// highlights. The same description the GIFs are drawn from.

const NS = "http://www.w3.org/2000/svg";
const ANCHOR_X = { l: "start", m: "middle", r: "end" };
const ANCHOR_Y = { a: "text-before-edge", t: "text-before-edge", m: "central", s: "alphabetic", b: "text-after-edge", d: "text-after-edge" };

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const pts = (list) => list.map(([x, y]) => `${x},${y}`).join(" ");

function paint(st, fill = true) {
  let out = fill && st.fill ? `fill="${st.fill}"` : 'fill="none"';
  if (fill && st.opacity !== undefined && st.opacity !== 1) out += ` fill-opacity="${st.opacity}"`;
  if (st.stroke) {
    out += ` stroke="${st.stroke}" stroke-width="${st.width ?? 1}"`;
    if (st.dash) out += ` stroke-dasharray="${st.dash[0]} ${st.dash[1]}"`;
  }
  return out;
}

/** The visible pieces of a two-point line with hidden spans ([from, to] px along it). */
function pieces([[ax, ay], [bx, by]], gaps) {
  const length = Math.hypot(bx - ax, by - ay) || 1;
  const at = (d) => [ax + ((bx - ax) * d) / length, ay + ((by - ay) * d) / length];
  const out = [];
  let d = 0;
  for (const [g0, g1] of gaps) {
    if (g0 > d) out.push([at(d), at(g0)]);
    d = Math.max(d, g1);
  }
  if (d < length) out.push([at(d), [bx, by]]);
  return out;
}

const written = new WeakMap();   // element -> the markup renew() last put in it

/** Replace an element's contents, unless they are that markup already (the base often is, after a change). */
function renew(el, markup) {
  if (written.get(el) === markup) return;
  el.innerHTML = markup;
  written.set(el, markup);
}

// one pattern per look of hatching (colour, spacing, width), as the SVG writer makes them
const hatchId = (h) => `hatch-${h.color.slice(1)}-${h.spacing}-${h.width}`.replace(/\./g, "_");

/** SVG markup of scene items (strings are faster to insert than nodes one by one). Lines in a row of
 *  one look are one path of many pieces, and so are opaque fills: a grid is a few elements, not hundreds
 *  (each element is styled, laid out and painted on every redraw). Dashes restart per piece, as per line. */
export function itemsMarkup(scene, items) {
  let out = "";
  let run = null;   // the look of the path being gathered, and its pieces
  let d = "";
  const flush = () => {
    if (run) out += `<path d="${d}" ${paint(scene.styles[run.style] || {}, run.fill)}/>`;
    run = null;
    d = "";
  };
  for (const item of items) {
    const st = scene.styles[item.style] || {};
    if (item.text !== undefined) {
      flush();
      const a = st.anchor || "mm";
      const size = st.font ?? 12;
      // on the baseline the raster uses, from the font's metrics (scene.baselines), where given
      const drop = scene.baselines?.[a[1]];
      const baseline = drop === undefined ? ANCHOR_Y[a[1]] || "central" : "alphabetic";
      // one text, or several in one look (lists of texts and places)
      const many = Array.isArray(item.text);
      (many ? item.text : [item.text]).forEach((text, k) => {
        const [x, y] = many ? item.at[k] : item.at;
        out += `<text x="${x}" y="${drop === undefined ? y : +(y + drop * size).toFixed(2)}" font-size="${size}" fill="${st.fill || "#000"}" text-anchor="${ANCHOR_X[a[0]] || "middle"}" dominant-baseline="${baseline}"${st.bold ? ' font-weight="bold"' : ""}>${item.title ? `<title>${esc(item.title)}</title>` : ""}${esc(text)}</text>`;
      });
      continue;
    }
    const fill = !item.line;
    const p = fill ? (item.poly ? scene.polys[item.poly] : item.points) : null;
    if (fill && (st.hatch || (st.opacity !== undefined && st.opacity !== 1))) {   // overlaps would show: one element each
      flush();
      out += `<polygon points="${pts(p)}" ${paint(st)}/>`;
      if (st.hatch) out += `<polygon points="${pts(p)}" fill="url(#${hatchId(st.hatch)})"/>`;
      continue;
    }
    if (!run || run.style !== item.style || run.fill !== fill) {
      flush();
      run = { style: item.style, fill };
    }
    if (fill) d += `M${pts(p)}Z`;
    else for (const line of item.gaps ? pieces(item.line, item.gaps) : [item.line]) d += `M${pts(line)}`;
  }
  flush();
  return out;
}

export class SceneView {
  constructor(container) {
    this.container = container;
    this.scene = null;
  }

  /** Draw a new scene. The SVG and its hit areas are kept from the last scene and changed where they
   *  differ: a control change moves a few hundred cells, and new nodes would each be parsed and styled.
   *  `hits: false` (a still, whose scene has only the cells it draws): the hit areas stay as they were,
   *  marked stale (`hitsStale`, `data-stale`) until a scene places them; redrawing them twice cost 10 ms. */
  setScene(scene, { hits = true } = {}) {
    this.scene = scene;
    if (!this.svg || !this.container.contains(this.svg)) this.skeleton();
    const svg = this.svg;
    svg.setAttribute("viewBox", `0 0 ${scene.width} ${scene.height}`);
    svg.setAttribute("width", scene.width);
    svg.setAttribute("height", scene.height);
    const hatches = new Map(Object.values(scene.styles).filter((s) => s.hatch).map((s) => [hatchId(s.hatch), s.hatch]));
    renew(this.defs, [...hatches].map(([id, h]) =>
      `<pattern id="${id}" width="${h.spacing}" height="${h.spacing}" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="${h.spacing}" stroke="${h.color}" stroke-width="${h.width}"/></pattern>`).join(""));
    this.backdrop.setAttribute("fill", scene.background || "#fff");
    renew(this.baseLayer, itemsMarkup(scene, scene.base));
    this.timedLayer.innerHTML = "";
    this.frameLayer.innerHTML = "";
    this.alive = null;
    this.clearHighlight();
    if (hits) this.placeHits(scene);
    else this.hitLayer.dataset.stale = "";
  }

  get hitsStale() {
    return "stale" in (this.hitLayer?.dataset || {});
  }

  /** One hit area per cell polygon, in the scene's order, the elements there reused. */
  placeHits(scene) {
    delete this.hitLayer.dataset.stale;
    let hit = this.hitLayer.firstElementChild;
    for (const id in scene.polys) {
      if (!hit) {
        hit = this.hitLayer.appendChild(document.createElementNS(NS, "polygon"));
        hit.setAttribute("class", "hit");
      }
      if (hit.dataset.id !== id) hit.setAttribute("data-id", id);
      const points = pts(scene.polys[id]);
      if (hit.getAttribute("points") !== points) hit.setAttribute("points", points);
      hit = hit.nextElementSibling;
    }
    while (hit) {
      const next = hit.nextElementSibling;
      hit.remove();
      hit = next;
    }
  }

  /** The SVG's layers, made once: defs, background, base, timed items, the frame, hover overlay, hit areas. */
  skeleton() {
    this.container.innerHTML =
      `<svg xmlns="${NS}" font-family="convplay-figures, 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'PingFang SC', sans-serif">` +
      `<defs></defs><rect width="100%" height="100%"/><g class="base"></g><g class="timed"></g><g class="frame"></g><g class="overlay"></g><g class="hits"></g></svg>`;
    this.svg = this.container.querySelector("svg");
    [this.defs, this.backdrop, this.baseLayer, this.timedLayer, this.frameLayer, this.overlay, this.hitLayer] = this.svg.children;
  }

  showFrame(i) {
    const frame = this.scene?.frames[i];
    const alive = [];
    const which = [];
    (this.scene?.timed || []).forEach((t, k) => {
      if (t.from <= i && i <= t.to) {
        alive.push(t);
        which.push(k);
      }
    });
    // redrawn only when the set changes: most steps add one finished value, many add none
    const key = which.join(",");
    if (key !== this.alive) {
      this.timedLayer.innerHTML = itemsMarkup(this.scene, alive);
      this.alive = key;
    }
    this.frameLayer.innerHTML = frame ? itemsMarkup(this.scene, frame.items) : "";
  }

  /** Outline and tint cells by id; `labels` maps an id to a small text (a weight, say). */
  highlight(ids, colour, labels = {}, role = "hl") {
    const scene = this.scene;
    let out = "";
    for (const id of ids) {
      const p = scene.polys[id];
      if (!p) continue;
      out += `<polygon class="${role}" data-id="${id}" points="${pts(p)}" fill="${colour}" fill-opacity="0.35" stroke="${colour}" stroke-width="2.2"/>`;
    }
    for (const [id, text] of Object.entries(labels)) {
      const p = scene.polys[id];
      if (!p) continue;
      const cx = p.reduce((s, q) => s + q[0], 0) / p.length;
      const cy = p.reduce((s, q) => s + q[1], 0) / p.length;
      out += `<text x="${cx}" y="${cy}" class="hl-label" text-anchor="middle" dominant-baseline="central">${esc(text)}</text>`;
    }
    this.overlay.innerHTML += out;
  }

  /** Dots at points off the grid ({channel, at: [row, col] on the canvas, fractional; to: ids of cells})
   *  with thin lines to the cells they blend; placed by the affine map of the read map's cells. */
  dots(points, colour) {
    const polys = this.scene.polys;
    const centre = (p) => [(p[0][0] + p[2][0]) / 2, (p[0][1] + p[2][1]) / 2];
    const [, rows, cols] = this.scene.meta.bottom.shape;
    let lines = "";
    let dots = "";
    for (const { channel, at, to } of points) {
      const r = Math.min(Math.max(Math.round(at[0]), 0), rows - 1);
      const q = Math.min(Math.max(Math.round(at[1]), 0), cols - 1);
      const p = polys[`in:${channel}:${r}:${q}`];
      if (!p) continue;
      const [cx, cy] = centre(p);   // corners: top-left, top-right, bottom-right, bottom-left
      const right = [p[1][0] - p[0][0], p[1][1] - p[0][1]];
      const down = [p[3][0] - p[0][0], p[3][1] - p[0][1]];
      const x = cx + (at[1] - q) * right[0] + (at[0] - r) * down[0];
      const y = cy + (at[1] - q) * right[1] + (at[0] - r) * down[1];
      for (const id of to) {
        if (!polys[id]) continue;
        const [nx, ny] = centre(polys[id]);
        lines += `<line class="hl-link" x1="${x}" y1="${y}" x2="${nx}" y2="${ny}" stroke="${colour}" stroke-width="1.2"/>`;
      }
      dots += `<circle class="hl-dot" cx="${x}" cy="${y}" r="4" fill="${colour}" stroke="#fff" stroke-width="1"/>`;
    }
    this.overlay.innerHTML += lines + dots;
  }

  clearHighlight() {
    if (this.overlay) this.overlay.innerHTML = "";
  }
}
