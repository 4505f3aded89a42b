// In-page timing hooks for the panel benchmark, installed as an init script
// (plain JavaScript: it runs in the page, outside the page's CSP).
// performance.now() counts from navigation start, so `contentAt` is the time
// from navigation to the panel's first complete DOM, and `paintedAt` the first
// frame after it (rAF, then a task: the frame has been produced).

export const TIMING_INIT_SCRIPT = `(() => {
  const b = (window.__bench = { contentAt: undefined, paintedAt: undefined });
  const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  b.afterPaint = afterPaint;
  const obs = new MutationObserver(() => {
    if (b.contentAt !== undefined || !document.querySelector('#app main.content > *')) return;
    b.contentAt = performance.now();
    obs.disconnect();
    afterPaint().then(() => { b.paintedAt = performance.now(); });
  });
  obs.observe(document, { childList: true, subtree: true });
  const find = (target) => {
    if (target.startsWith('tab:')) return [...document.querySelectorAll('nav.tabs button')].find((x) => x.textContent === target.slice(4));
    return document.querySelector(target);
  };
  // Click (or set a <select>), then wait until the next frame; 'ready' must exist by then.
  b.act = async (target, ready, value) => {
    const el = find(target);
    if (!el) throw new Error('nothing matches ' + target);
    const t0 = performance.now();
    if (value !== undefined) { el.value = value; el.dispatchEvent(new Event('change')); } else el.click();
    const dom = performance.now() - t0;
    await afterPaint();
    const painted = performance.now() - t0;
    if (!document.querySelector(ready)) throw new Error(ready + ' is not shown after ' + target);
    return { dom, painted };
  };
})();`;

/** What the page reports about the panel's DOM size. */
export const DOM_COUNT_SCRIPT = `(() => ({ rows: document.querySelectorAll('.vrow').length, elements: document.getElementsByTagName('*').length }))()`;
