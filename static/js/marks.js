// The redraw's spans on the page's performance timeline (performance.measure "convplay:<name>"):
// where a redraw's time goes, for a PerformanceObserver (bench/bench_browser.py) or the browser's
// devtools. Each leaves the timeline as soon as it is made (observers still get it): a page playing
// for hours keeps none.

/** Run `fn`, recording how long it took as the measure `convplay:<name>`; returns what `fn` returns. */
export function span(name, fn) {
  const start = performance.now();
  try {
    return fn();
  } finally {
    measure(name, start);
  }
}

/** The same for a span that ends later (an answer arriving): call the function it returns at the end. */
export function begin(name) {
  const start = performance.now();
  return () => measure(name, start);
}

function measure(name, start) {
  performance.measure(`convplay:${name}`, { start, end: performance.now() });
  performance.clearMeasures(`convplay:${name}`);   // observers have it already
}
