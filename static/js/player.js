// Frame stepping and playback: play/pause, step, scrub, keyboard. Each frame lasts its own `ms`
// (the render option), so the page plays at the pace of the downloads and embeds.

export const PLAY_ICON = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M7 5v14l12-7z" fill="currentColor"/></svg>';
export const PAUSE_ICON = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M6 5h4v14H6zM14 5h4v14h-4z" fill="currentColor"/></svg>';

export class Player {
  constructor({ onFrame, onState }) {
    this.onFrame = onFrame;
    this.onState = onState;
    this.frames = [];
    this.index = 0;
    this.playing = !matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.timer = null;
  }

  load(frames, keepIndex = true) {
    this.frames = frames;
    this.index = keepIndex ? Math.min(this.index, Math.max(frames.length - 1, 0)) : 0;
    this.show(this.index);
    this.schedule();
  }

  show(i) {
    if (!this.frames.length) return;
    this.index = ((i % this.frames.length) + this.frames.length) % this.frames.length;
    this.onFrame(this.index);
    this.onState?.(this);
  }

  step(delta) {
    this.pause();
    this.show(this.index + delta);
  }

  toggle() {
    this.playing ? this.pause() : this.play();
  }

  play() {
    this.playing = true;
    this.schedule();
    this.onState?.(this);
  }

  pause() {
    this.playing = false;
    clearTimeout(this.timer);
    this.timer = null;
    this.onState?.(this);
  }

  schedule() {
    clearTimeout(this.timer);
    if (!this.playing || this.frames.length < 2) return;
    const ms = this.frames[this.index]?.ms ?? 1000;
    this.timer = setTimeout(() => {
      this.show(this.index + 1);
      this.schedule();
    }, ms);
  }

  /** Space plays/pauses, arrows step; not while typing in a field. */
  bindKeys(target = document) {
    target.addEventListener("keydown", (e) => {
      const tag = e.target.tagName;
      if (["INPUT", "SELECT", "TEXTAREA"].includes(tag) && e.target.type !== "range") return;
      if (e.key === " " && tag !== "BUTTON") {
        e.preventDefault();
        this.toggle();
      } else if (e.key === "ArrowRight" && e.target.type !== "range") {
        e.preventDefault();
        this.step(1);
      } else if (e.key === "ArrowLeft" && e.target.type !== "range") {
        e.preventDefault();
        this.step(-1);
      }
    });
  }
}

/**
 * A Player wired to a page's usual controls: #play, #prev, #next, #counter, the arrow
 * keys and, where the page has one, the #scrub slider. `draw(i)` shows frame i; `t` says the words.
 */
export function pagePlayer(draw, t) {
  const $ = (sel) => document.querySelector(sel);
  const scrub = $("#scrub");
  const player = new Player({
    onFrame: (i) => {
      draw(i);
      if (scrub) scrub.value = i;
    },
    onState: (p) => {
      $("#counter").textContent = p.frames.length ? `${t("step")} ${p.index + 1} ${t("of")} ${p.frames.length}` : "";
      const play = $("#play");
      play.innerHTML = p.playing ? PAUSE_ICON : PLAY_ICON;
      play.setAttribute("aria-label", p.playing ? t("pause") : t("play"));
      play.setAttribute("aria-pressed", String(p.playing));
    },
  });
  player.bindKeys();
  $("#play").addEventListener("click", () => player.toggle());
  $("#prev").addEventListener("click", () => player.step(-1));
  $("#next").addEventListener("click", () => player.step(1));
  scrub?.addEventListener("input", (e) => {
    player.pause();
    player.show(parseInt(e.target.value, 10));
  });
  return player;
}
