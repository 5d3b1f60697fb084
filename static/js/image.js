// The /image page: a picture and a kernel -> /api/v1/image (input, result) and a patch
// of the picture -> /api/v1/scene (the sliding window with its numbers) and the GIF.

import { t, lang } from "./i18n.js";
import "./lang.js";
import { pagePlayer } from "./player.js";
import { SceneView } from "./scene-svg.js";

const $ = (sel) => document.querySelector(sel);
const data = JSON.parse($("#image-data").textContent);
const form = $("#image-controls");
const kernels = Object.fromEntries(data.kernels.map((k) => [k.name, k]));
const FIELDS = ["sample", "color", "kernel", "stride", "padding", "dilation", "padding_mode", "display"];
const PATCH_SIDE = 8; // at least this many input cells a side, so a 3x3 window has 6x6 places
const FRAME_MS = 600;

const view = new SceneView($("#stage"));
const player = pagePlayer((i) => view.showFrame(i), t);

let upload = null; // the user's File, while one is chosen
let picture = null; // what the last good answer said: sizes, geometry, channels
let patchAt = null; // [row, col] of the working picture the patch is centred on
let serial = 0;
const objectUrls = {};

const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => (k in values ? values[k] : `{${k}}`));
const size = (text) => text.split("x").map(Number);

// ---- the settings, as the API's fields ------------------------------------------------
function settings() {
  const s = {};
  for (const name of FIELDS) s[name] = form.elements[name].value.trim();
  if (s.kernel === "custom") s.kernel = $("#custom").value.trim();
  if (upload) delete s.sample;
  return s;
}

function readQuery() {
  const q = new URLSearchParams(location.search);
  for (const name of FIELDS) {
    if (!q.has(name)) continue;
    const value = q.get(name);
    if (name === "kernel" && !(value in kernels)) {
      form.elements.kernel.value = "custom";
      $("#custom").value = value;
    } else {
      form.elements[name].value = value;
    }
  }
  $(".custom").hidden = form.elements.kernel.value !== "custom";
}

function writeQuery(s) {
  const q = new URLSearchParams({ ...s, lang });
  history.replaceState(null, "", `?${q}`);
}

async function ask(fields) {
  const query = new URLSearchParams({ ...fields, lang });
  if (!upload) return fetch(`/api/v1/image?${query}`);
  const body = new FormData();
  body.append("file", upload);
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return fetch(`/api/v1/image?lang=${lang}`, { method: "POST", body });
}

async function answer(response) {
  if (response.ok) return response;
  const body = await response.json().catch(() => ({}));
  throw Object.assign(new Error("refused"), { detail: body.detail?.[0] || { msg: `HTTP ${response.status}` } });
}

function setUrl(key, blob) {
  if (objectUrls[key]) URL.revokeObjectURL(objectUrls[key]);
  objectUrls[key] = URL.createObjectURL(blob);
  return objectUrls[key];
}

// ---- the three panes ------------------------------------------------------------------
async function refresh() {
  const mine = ++serial;
  const s = settings();
  if (!upload) writeQuery(s);
  $("#display-rule").textContent = data.displays[s.display] || "";
  status(t("img_working"));
  clearErrors();
  $("#triptych").setAttribute("aria-busy", "true");   // until this refresh (the latest) is shown or refused
  try {
    // the input as convolved: a 1x1 kernel of 1 shows the working picture's own values
    const [inp, res] = await Promise.all([
      ask({ ...s, kernel: "[[1]]", stride: "1", padding: "0", dilation: "1", display: "clip" }).then(answer),
      ask(s).then(answer),
    ]);
    const [inBlob, resBlob] = await Promise.all([inp.blob(), res.blob()]);
    if (mine !== serial) return;
    $("#input-img").src = setUrl("input", inBlob);
    $("#result-img").src = setUrl("result", resBlob);
    const [h, w] = size(res.headers.get("Convplay-Input-Size"));
    const [oh, ow] = size(res.headers.get("Convplay-Original-Size"));
    const [rh, rw] = size(res.headers.get("Convplay-Output-Size"));
    picture = { h, w, rh, rw, channels: s.color === "rgb" ? 3 : 1, geometry: JSON.parse(res.headers.get("Convplay-Geometry")), fields: s };
    $("#input-size").textContent = fill(t(h === oh && w === ow ? "img_size" : "img_resized"), { h, w, oh, ow });
    $("#result-size").textContent = fill(t("img_size"), { h: rh, w: rw });
    $("#shown-as").textContent = shownAs(res.headers.get("Convplay-Display"));
    const name = res.headers.get("Content-Disposition")?.match(/filename="([^"]+)"/)?.[1] || "result.png";
    Object.assign($("#dl-png"), { href: objectUrls.result, download: name });
    const json = $("#dl-json");
    json.hidden = !!upload;
    if (!upload) json.href = `/api/v1/image?${new URLSearchParams({ ...s, format: "json" })}`;
    showKernel(s.kernel);
    $("#triptych").classList.remove("stale");
    $("#triptych").removeAttribute("aria-busy");
    status("");
    if (!patchAt || patchAt[0] >= h || patchAt[1] >= w) patchAt = [Math.floor(h / 2), Math.floor(w / 2)];
    await drawPatch(mine);
  } catch (err) {
    if (mine !== serial) return;
    $("#triptych").removeAttribute("aria-busy");
    refused(err);
  }
}

function shownAs(header) {
  const [mode, ...parts] = header.split(";").map((p) => p.trim());
  const numbers = Object.fromEntries(parts.map((p) => p.split("=")).map(([k, v]) => [k, short(Number(v))]));
  return fill(t(`img_shown_${mode}`), numbers);
}

const short = (x) => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6))));

function showKernel(kernel) {
  const preset = kernels[kernel];
  let rows, prefix = "";
  if (preset) {
    rows = preset.numbers;
    if (preset.divisor !== 1) prefix = `1/${preset.divisor} ×`;
    $("#kernel-name").textContent = preset.label[lang] || preset.label.en;
  } else {
    rows = JSON.parse(kernel);
    $("#kernel-name").textContent = t("img_custom").replace("…", "");
  }
  const cells = rows.map((r) => `<tr>${r.map((v) => `<td class="${v > 0 ? "pos" : v < 0 ? "neg" : "zero"}">${short(v)}</td>`).join("")}</tr>`).join("");
  $("#kernel-view").innerHTML = `${prefix ? `<span class="divisor">${prefix}</span>` : ""}<table class="kernel-table"><tbody>${cells}</tbody></table>`;
}

// ---- the patch: a small crop, traced and drawn with its numbers -----------------------
/** Along one axis: the crop [start, length] whose outputs are whole pixels of the result. */
function patchAxis(n, at, k, s, d, padLo) {
  const eff = d * (k - 1) + 1;
  const want = Math.min(Math.max(PATCH_SIDE, eff + 1), n);
  const outs = Math.floor((want - eff) / s) + 1;
  if (outs < 1) return null;
  const length = (outs - 1) * s + eff;
  // start + padLo must be a multiple of the stride: then output i is the result's (start + padLo) / s + i
  let start = Math.round((at - length / 2 + padLo) / s) * s - padLo;
  while (start < 0) start += s;
  while (start + length > n) start -= s;
  if (start < 0) return null;
  return { start, length, outs, first: (start + padLo) / s };
}

function patchWindow() {
  const g = picture.geometry;
  const rows = patchAxis(picture.h, patchAt[0], g.kernel_size[0], g.stride[0], g.dilation[0], g.padding.top);
  const cols = patchAxis(picture.w, patchAt[1], g.kernel_size[1], g.stride[1], g.dilation[1], g.padding.left);
  return rows && cols ? { rows, cols } : null;
}

async function drawPatch(mine) {
  const win = patchWindow();
  showMarkers(win);
  if (!win) {
    clearPatch(t("img_patch_small"));
    return;
  }
  const { rows, cols } = win;
  const s = picture.fields;
  const crop = [rows.start, cols.start, rows.length, cols.length].join(",");
  const r = await ask({ ...s, crop, padding: "0", format: "json" }).then(answer);
  const body = await r.json();
  if (mine !== serial) return;
  const channel = Math.min(Number($("#patch-channel").value || 0), body.input.length - 1);
  const query = new URLSearchParams({
    op: "conv2d", input: JSON.stringify(body.input[channel]), weight: JSON.stringify(body.kernel.weight),
    stride: body.stride.join(","), dilation: body.dilation.join(","), padding: "0",
    numbers: "true", layout: "flat", ms: String(FRAME_MS),
  });
  const scene = await fetch(`/api/v1/scene?${query}&lang=${lang}`).then(answer).then((x) => x.json());
  if (mine !== serial) return;
  view.setScene(scene);
  $(".patch").classList.remove("stale");
  player.load(scene.frames, false);
  $("#dl-gif").href = `/api/v1/animation.gif?${query}`;
  $("#dl-gif").download = `patch_${rows.start}_${cols.start}.gif`;
  $("#patch-where").textContent = fill(t("img_patch_where"), {
    r0: rows.start, r1: rows.start + rows.length - 1, c0: cols.start, c1: cols.start + cols.length - 1,
    n: rows.outs, m: cols.outs, o0: rows.first, o1: rows.first + rows.outs - 1, q0: cols.first, q1: cols.first + cols.outs - 1,
  });
}

function showMarkers(win) {
  const place = (el, top, left, h, w, H, W) => {
    el.hidden = false;
    Object.assign(el.style, { top: `${(100 * top) / H}%`, left: `${(100 * left) / W}%`, height: `${(100 * h) / H}%`, width: `${(100 * w) / W}%` });
  };
  $("#input-marker").hidden = $("#result-marker").hidden = !win;
  if (!win) return;
  const { rows, cols } = win;
  place($("#input-marker"), rows.start, cols.start, rows.length, cols.length, picture.h, picture.w);
  place($("#result-marker"), rows.first, cols.first, rows.outs, cols.outs, picture.rh, picture.rw);
}

function pointAt(event, img, rowsOf, colsOf) {
  const box = img.getBoundingClientRect();
  const y = Math.floor(((event.clientY - box.top) / box.height) * rowsOf);
  const x = Math.floor(((event.clientX - box.left) / box.width) * colsOf);
  return [Math.max(0, Math.min(rowsOf - 1, y)), Math.max(0, Math.min(colsOf - 1, x))];
}

$("#input-img").addEventListener("click", (e) => {
  if (!picture) return;
  patchAt = pointAt(e, e.currentTarget, picture.h, picture.w);
  drawPatch(serial).catch(refused);
});
$("#result-img").addEventListener("click", (e) => {
  if (!picture) return;
  const [oy, ox] = pointAt(e, e.currentTarget, picture.rh, picture.rw);
  const g = picture.geometry;
  const centre = (o, a, pad) => o * g.stride[a] - pad + Math.floor((g.dilation[a] * (g.kernel_size[a] - 1)) / 2);
  patchAt = [centre(oy, 0, g.padding.top), centre(ox, 1, g.padding.left)];
  drawPatch(serial).catch(refused);
});

// ---- messages ---------------------------------------------------------------------------
function status(text, bad = false) {
  $("#status").textContent = text;
  $("#status").classList.toggle("bad", bad);
}

function clearErrors() {
  for (const el of document.querySelectorAll(".image-controls .error")) el.textContent = "";
}

function refused(err) {
  const detail = err.detail || { msg: String(err.message || err) };
  const where = detail.param && $(`#err-${detail.param}`);
  if (where) where.textContent = detail.msg;
  status(`${t("img_cannot")} ${detail.msg}`, true);
  // what is on screen no longer matches the settings: hide it rather than let it look current
  $("#triptych").classList.add("stale");
  picture = null;
  showMarkers(null);
  clearPatch("");
}

function clearPatch(text) {
  view.container.innerHTML = "";
  player.load([]);
  $("#counter").textContent = "";
  $("#patch-where").textContent = text;
  $(".patch").classList.add("stale");
}

// ---- wiring -------------------------------------------------------------------------------
function channelChoices() {
  const rgb = form.elements.color.value === "rgb";
  $(".patch-channel").hidden = !rgb;
  const names = t("img_channel_names").split(",");
  $("#patch-channel").innerHTML = (rgb ? names : [""]).map((n, i) => `<option value="${i}">${n}</option>`).join("");
}

form.addEventListener("change", (e) => {
  if (e.target.id === "file") {
    upload = e.target.files[0] || null;
    $("#uploaded").hidden = !upload;
    if (upload) $("#uploaded span").textContent = fill(t("img_uploaded"), { name: upload.name });
    patchAt = null;
  }
  if (e.target.id === "sample") patchAt = null;
  if (e.target.id === "kernel") $(".custom").hidden = e.target.value !== "custom";
  if (e.target.id === "color") channelChoices();
  refresh();
});
form.addEventListener("submit", (e) => e.preventDefault());
$("#use-sample").addEventListener("click", () => {
  upload = null;
  $("#file").value = "";
  $("#uploaded").hidden = true;
  patchAt = null;
  refresh();
});
$("#patch-channel").addEventListener("change", () => picture && drawPatch(serial).catch(refused));

readQuery();
channelChoices();
refresh();
