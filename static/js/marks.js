// The redraw's spans on the page's performance timeline (performance.measure "convplay:<name>"):
// where a redraw's time goes, read by bench/bench_browser.py or the browser's devtools.

/** Run `fn`, recording how long it took as the measure `convplay:<name>`; returns what `fn` returns. */
export function span(name, fn) {
  const start = performance.now();
  try {
    return fn();
  } finally {
    performance.measure(`convplay:${name}`, { start, end: performance.now() });
  }
}

/** The same for a span that ends later (an answer arriving): call the function it returns at the end. */
export function begin(name) {
  const start = performance.now();
  return () => performance.measure(`convplay:${name}`, { start, end: performance.now() });
}
