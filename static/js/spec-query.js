// The playground's state <-> the query string, with the API's own names and forms.

export const DEFAULTS = {
  op: "conv2d", input_size: [5, 5], in_channels: 1, out_channels: 1, groups: 1,
  kernel_size: [3, 3], stride: [1, 1], padding: 0, dilation: [1, 1], output_padding: [0, 0],
  padding_mode: "zeros", ceil_mode: false, count_include_pad: true, view: "gather",
  numbers: false, labels: true, layout: "slanted", palette: "solarized", granularity: "step",
};
const RENDER = ["numbers", "labels", "layout", "palette", "granularity"];
const PAIRS = ["input_size", "kernel_size", "stride", "dilation", "output_padding"];

/** Which spec fields each operation takes (the API refuses the others). */
export const FIELDS = {
  conv2d: ["input_size", "in_channels", "out_channels", "groups", "kernel_size", "stride", "padding", "dilation", "padding_mode"],
  conv_transpose2d: ["input_size", "in_channels", "out_channels", "groups", "kernel_size", "stride", "padding", "dilation", "output_padding", "view"],
  max_pool2d: ["input_size", "in_channels", "kernel_size", "stride", "padding", "dilation", "ceil_mode"],
  avg_pool2d: ["input_size", "in_channels", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"],
};

function parsePair(text) {
  const parts = String(text).split(/[,x×]/).map((s) => parseInt(s, 10));
  return parts.length === 1 ? [parts[0], parts[0]] : [parts[0], parts[1]];
}

function parsePadding(text) {
  if (["valid", "same", "full"].includes(text)) return text;
  if (text.includes(":")) {
    const out = { top: 0, bottom: 0, left: 0, right: 0 };
    for (const part of text.split(",")) {
      const [k, v] = part.split(":");
      out[k.trim()] = parseInt(v, 10);
    }
    return out;
  }
  const p = parsePair(text);
  return p[0] === p[1] ? p[0] : p;
}

export function fromQuery(search) {
  const q = new URLSearchParams(search);
  const state = structuredClone(DEFAULTS);
  state.stride = null; // unset: pooling's default is the kernel
  for (const [key, value] of q) {
    if (PAIRS.includes(key)) state[key] = parsePair(value);
    else if (key === "padding") state.padding = parsePadding(value);
    else if (["in_channels", "out_channels", "groups"].includes(key)) state[key] = parseInt(value, 10);
    else if (["ceil_mode", "count_include_pad", "numbers", "labels"].includes(key)) state[key] = value === "true" || value === "1";
    else if (key in DEFAULTS) state[key] = value;
  }
  if (!q.has("out_channels") && q.has("in_channels")) state.out_channels = state.in_channels;
  if (state.stride === null) state.stride = state.op.endsWith("pool2d") ? [...state.kernel_size] : [1, 1];
  return state;
}

const pairText = (p) => (p[0] === p[1] ? String(p[0]) : `${p[0]},${p[1]}`);

function paddingText(p) {
  if (typeof p === "string") return p;
  if (Array.isArray(p)) return pairText(p);
  if (typeof p === "object") return `top:${p.top},bottom:${p.bottom},left:${p.left},right:${p.right}`;
  return String(p);
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** The query for a state: the op's own fields, defaults left out (op and sizes always kept). */
export function toQuery(state, { render = true } = {}) {
  const q = new URLSearchParams();
  q.set("op", state.op);
  const pooling = state.op.endsWith("pool2d");
  for (const key of FIELDS[state.op]) {
    const value = state[key];
    const always = key === "input_size" || key === "kernel_size" || (key === "stride" && pooling);
    if (!always && same(value, DEFAULTS[key])) continue;
    if (PAIRS.includes(key) || key === "stride") q.set(key, pairText(value));
    else if (key === "padding") q.set(key, paddingText(value));
    else q.set(key, String(value));
  }
  if (render) {
    for (const key of RENDER) if (!same(state[key], DEFAULTS[key])) q.set(key, String(state[key]));
  }
  return q;
}
