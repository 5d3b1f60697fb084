// The address bar follows the state on screen once the page is idle: a history entry costs 2-20 ms
// (measured in Chromium), which the frame that paints a redraw need not pay, and changes in a row
// need only the last address. Back or Forward drops an address still waiting (it would undo them).

const whenIdle = window.requestIdleCallback ? (fn) => requestIdleCallback(fn, { timeout: 300 }) : (fn) => setTimeout(fn, 50);
let waiting = null;   // { url, push }

/** Show `url` in the address bar soon; `push` makes a history entry (kept if a later call only replaces). */
export function follow(url, { push = false } = {}) {
  if (waiting === null) requestAnimationFrame(() => whenIdle(settle));
  waiting = { url: new URL(url, location.href).href, push: push || Boolean(waiting?.push) };
}

function settle() {
  if (waiting === null) return;
  const { url, push } = waiting;
  waiting = null;
  if (url !== location.href) history[push ? "pushState" : "replaceState"](null, "", url);
}

window.addEventListener("popstate", () => {
  waiting = null;
});
