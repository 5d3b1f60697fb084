// Exact cell mapping from the trace: which cells an output reads, which outputs read a cell.
// Nothing is approximated (no floor(i / s)): every answer comes from the recorded taps.

const key = (idx) => idx.join(":");
const num = (v) => (v === null ? "–" : Number.isInteger(v) ? String(v) : v.toFixed(2));

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
}
