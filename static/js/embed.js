// The embed: the animation alone, with play/pause and step, sized by its iframe.

import { PAUSE_ICON, PLAY_ICON, Player } from "./player.js";
import { SceneView } from "./scene-svg.js";
import { t } from "./i18n.js";

const main = document.querySelector(".embed-main");
const view = new SceneView(document.getElementById("stage"));
const query = main.dataset.query;

const player = new Player({
  onFrame: (i) => view.showFrame(i),
  onState: (p) => {
    document.getElementById("counter").textContent = p.frames.length ? `${p.index + 1} / ${p.frames.length}` : "";
    const play = document.getElementById("play");
    play.innerHTML = p.playing ? PAUSE_ICON : PLAY_ICON;
    play.setAttribute("aria-label", p.playing ? t("pause") : t("play"));
  },
});
player.bindKeys();
document.getElementById("play").addEventListener("click", () => player.toggle());
document.getElementById("prev").addEventListener("click", () => player.step(-1));
document.getElementById("next").addEventListener("click", () => player.step(1));

fetch(`${main.dataset.api}/scene?${query}`)   // a network's embed names its own API
  .then(async (r) => {
    const body = await r.json();
    if (!r.ok) throw new Error(body.detail?.[0]?.msg || `HTTP ${r.status}`);
    view.setScene(body);
    player.load(body.frames, false);
  })
  .catch((err) => {
    document.getElementById("status").textContent = String(err.message || err);
  });
