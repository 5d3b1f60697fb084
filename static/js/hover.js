// Exact cell mapping from the trace: which cells an output reads, which outputs read a cell.
// Nothing is approximated (no floor(i / s)): every answer comes from the recorded taps.
// `words` says the same in a sentence (the hover readout, announced to screen readers).

import { t } from "./i18n.js";

const TERMS = 12;   // a longer sum is shortened in the middle
const fill = (text, args) => text.replace(/\{(\w+)\}/g, (_, k) => args[k]);
const shorten = (terms) => (terms.length > TERMS ? [...terms.slice(0, TERMS - 2), "…", terms[terms.length - 1]] : terms);

const key = (idx) => idx.join(":");
const num = (v) => (v === null || v === undefined ? "–" : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));

export class CellMap {
  constructor(trace) {
    this.trace = trace;
    this.scatter = trace.view === "scatter";
    this.stepOf = new Map();      // id of a step's own cell -> step index
    this.readers = new Map();     // id of a read-side cell -> Set of write-side ids
    this.byInput = new Map();     // input index -> Set of output ids (gather views: through copies too)
    this.copies = new Map();      // input index -> canvas cells that show it (gather views)
    const weight = trace.weight;
    trace.steps.forEach((step, s) => {
      const own = this.scatter ? `in:${key(step.input_index)}` : `out:${key(step.output_index)}`;
      this.stepOf.set(own, s);
      for (const tap of step.taps) {
        const cell = (this.scatter ? "out:" : "in:") + key(tap.canvas_index);
        if (!this.readers.has(cell)) this.readers.set(cell, new Set());
        this.readers.get(cell).add(own);
        if (!this.scatter && tap.input_index) {
          const k = key(tap.input_index);
          if (!this.byInput.has(k)) this.byInput.set(k, new Set());
          this.byInput.get(k).add(own);
        }
      }
    });
    if (!this.scatter) {
      trace.canvas.source.forEach((row, y) =>
        row.forEach((src, x) => {
          if (!src) return;
          for (let c = 0; c < trace.input_shape[0]; c++) {
            const k = `${c}:${src[0]}:${src[1]}`;
            if (!this.copies.has(k)) this.copies.set(k, []);
            this.copies.get(k).push(`in:${c}:${y}:${x}`);
          }
        }),
      );
    }
    this.weightAt = (wi) => (wi && weight ? wi.reduce((a, i) => a[i], weight) : null);
    // where input cell [0, 0] sits on the canvas: taps sampled off the grid are placed from it
    this.origin = [0, 0];
    trace.canvas.kinds.forEach((row, y) => [...row].forEach((kind, x) => {
      const src = trace.canvas.source[y][x];
      if (kind === "i" && src && src[0] === 0 && src[1] === 0) this.origin = [y, x];
    }));
  }

  /** A step's sampling points off the grid (deformable taps): canvas position and the cells each blends. */
  samples(step) {
    const [oy, ox] = this.origin;
    return step.taps.filter((tap) => tap.sample).map((tap) => ({
      channel: tap.canvas_index[0],
      at: [tap.sample[0] + oy, tap.sample[1] + ox],
      to: (tap.neighbours || []).filter(Boolean).map(([c, y, x]) => `in:${c}:${y + oy}:${x + ox}`),
    }));
  }

  /** What to light up for a hovered cell id: {primary, secondary, labels, text}. */
  explain(id) {
    const t = this.trace;
    const s = this.stepOf.get(id);
    if (s !== undefined) {
      const step = t.steps[s];
      const labels = {};
      const cells = step.taps.map((tap) => {
        const cell = (this.scatter ? "out:" : "in:") + key(tap.canvas_index);
        const w = tap.coefficient ?? this.weightAt(tap.weight_index);   // interpolation taps carry a coefficient
        labels[cell] = w !== null && w !== undefined ? `×${num(w)}` : tap.winner ? "max" : "";
        return cell;
      });
      return { primary: cells, secondary: [id], labels, points: this.samples(step), text: { id, count: new Set(cells).size, value: step.value } };
    }
    let targets = this.readers.get(id) || new Set();
    const secondary = [id];
    if (!this.scatter && id.startsWith("in:")) {
      const [, c, y, x] = id.split(":").map(Number);
      const src = t.canvas.source[y]?.[x];
      if (src) {
        const k = `${c}:${src[0]}:${src[1]}`;
        targets = this.byInput.get(k) || new Set();
        secondary.push(...(this.copies.get(k) || []));
      }
    }
    return { primary: [...targets], secondary, labels: {}, text: { id, readers: targets.size } };
  }

  /** The value on a read-side cell (canvas, or the input in the scatter view), null where there is none. */
  readValue(c, y, x) {
    const grid = this.scatter ? this.trace.input : this.trace.canvas.values;
    const v = grid?.[c]?.[y]?.[x];
    return v === undefined ? null : v;
  }

  /** A cell in words: what it is, its value, the sum written out, or how many outputs read it. */
  words(id) {
    const tr = this.trace;
    const [role, c, y, x] = [id.split(":")[0], ...id.split(":").slice(1).map(Number)];
    const s = this.stepOf.get(id);
    const where = `[${c}, ${y}, ${x}]`;
    if (s !== undefined && !this.scatter) {
      const step = tr.steps[s];
      const seen = step.taps.map((tap) => this.readValue(...tap.canvas_index));
      const factor = (tap) => tap.coefficient ?? this.weightAt(tap.weight_index);
      let sum;
      if (tr.reduction === "max") sum = `max(${shorten(seen.map(num)).join(", ")})`;
      else if (tr.reduction === "mean") sum = `(${shorten(seen.map(num)).join(" + ")}) / ${step.divisor}`;
      else {
        // value × weight where that is the product; else (a mask, a sampled point...) the product itself
        const terms = step.taps.map((tap, k) => {
          const f = factor(tap);
          const plain = f !== null && f !== undefined && seen[k] !== null && Math.abs(seen[k] * f - tap.product) <= 1e-9 * (1 + Math.abs(tap.product));
          return plain ? `${num(seen[k])}×${num(f)}` : num(tap.product);
        });
        const bias = tr.bias?.[step.output_index[0]];
        sum = shorten(terms).join(" + ") + (bias !== undefined && bias !== null ? ` + ${num(bias)} (${t("bias_word")})` : "");
      }
      // an operation's own step (a rescale, a gate...) is named, not hidden
      const own = Object.entries(step).filter(([k]) => !["output_index", "value", "taps", "divisor"].includes(k));
      const rest = own.length ? `; ${own.map(([k, v]) => `${k} ${num(v)}`).join(", ")} → ` : " = ";
      return `${t("cell_output")} ${where}: ${sum}${rest}${num(step.value)} · ${fill(t("reads_n"), { n: new Set(step.taps.map((tap) => tap.canvas_index.join(":"))).size })}`;
    }
    if (s !== undefined) {   // the scatter view's own cell: an input cell stamping the kernel
      const v = this.readValue(c, y, x);
      return `${t("cell_input")} ${where} = ${num(v)} · ${fill(t("stamps_n"), { n: this.explain(id).primary.length })}`;
    }
    const kind = role === "in" && !this.scatter ? tr.canvas.kinds[y]?.[x] : role === "out" && this.scatter ? tr.canvas.kinds[y]?.[x] : "i";
    const name = { i: t("cell_input"), o: t("cell_output"), p: t("cell_padding"), z: t("cell_zero"), c: t("cell_cropped"), x: t("cell_beyond") }[kind] || "";
    const src = !this.scatter && role === "in" ? tr.canvas.source[y]?.[x] : null;
    // an input cell by its input index; a padding cell by its place on the drawn grid, and what it copies
    const at = src && kind === "i" ? `[${c}, ${src[0]}, ${src[1]}]` : `${where}${src ? ` (${t("copy_of")} [${c}, ${src[0]}, ${src[1]}])` : ""}`;
    const value = role === "in" ? this.readValue(c, y, x) : tr.canvas.values?.[c]?.[y]?.[x] ?? null;
    const shown = value === null ? "" : ` = ${num(value)}`;
    return `${name} ${at}${shown} · ${fill(t("read_by_n"), { n: this.explain(id).primary.length })}`;
  }
}
