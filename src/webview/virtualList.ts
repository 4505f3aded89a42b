import { clear, h } from './dom';
import { visibleRange } from './virtualRange';

export interface VirtualListOptions<T> {
  /** Fixed row height in px: what makes windowing exact and cheap. */
  rowHeight: number;
  /** Viewport height in px (also used before layout, when clientHeight is 0). */
  height: number;
  renderRow: (item: T, index: number) => HTMLElement;
  onSelect?: (item: T, index: number) => void;
}

export interface VirtualList<T> {
  element: HTMLElement;
  setItems(items: readonly T[]): void;
  setSelected(index: number | undefined): void;
  /** Row elements currently in the DOM (for tests and diagnostics). */
  renderedCount(): number;
}

/**
 * A list that only keeps the visible rows (plus a margin) in the DOM, so a
 * step with 10,000 rollouts scrolls as fast as one with ten.
 */
export function virtualList<T>(opts: VirtualListOptions<T>): VirtualList<T> {
  const viewport = h('div', { cls: 'vlist', attrs: { tabindex: '0', role: 'listbox' } });
  viewport.style.height = `${opts.height}px`;
  const spacer = h('div', { cls: 'vlist-spacer' });
  const layer = h('div', { cls: 'vlist-rows' });
  spacer.appendChild(layer);
  viewport.appendChild(spacer);
  let items: readonly T[] = [];
  let selected: number | undefined;
  let scheduled = false;

  const render = () => {
    scheduled = false;
    const { start, end } = visibleRange(viewport.scrollTop, viewport.clientHeight || opts.height, opts.rowHeight, items.length);
    clear(layer);
    layer.style.transform = `translateY(${start * opts.rowHeight}px)`;
    for (let i = start; i < end; i++) layer.appendChild(row(i));
  };
  const row = (i: number): HTMLElement => {
    const el = opts.renderRow(items[i], i);
    el.classList.add('vrow');
    if (i === selected) el.classList.add('selected');
    el.style.height = `${opts.rowHeight}px`;
    el.setAttribute('role', 'option');
    if (opts.onSelect) el.addEventListener('click', () => opts.onSelect!(items[i], i));
    return el;
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(render);
    else render();
  };
  viewport.addEventListener('scroll', schedule);
  viewport.addEventListener('keydown', (ev) => {
    if (!opts.onSelect || items.length === 0) return;
    const delta = ev.key === 'ArrowDown' ? 1 : ev.key === 'ArrowUp' ? -1 : 0;
    if (delta === 0) return;
    ev.preventDefault();
    const next = Math.max(0, Math.min(items.length - 1, (selected ?? -1) + delta));
    opts.onSelect(items[next], next);
  });

  return {
    element: viewport,
    setItems(next) {
      items = next;
      spacer.style.height = `${items.length * opts.rowHeight}px`;
      render();
    },
    setSelected(index) {
      selected = index;
      if (index !== undefined) keepVisible(viewport, index, opts);
      render();
    },
    renderedCount: () => layer.childElementCount,
  };
}

function keepVisible<T>(viewport: HTMLElement, index: number, opts: VirtualListOptions<T>): void {
  const top = index * opts.rowHeight;
  const height = viewport.clientHeight || opts.height;
  if (top < viewport.scrollTop) viewport.scrollTop = top;
  else if (top + opts.rowHeight > viewport.scrollTop + height) viewport.scrollTop = top + opts.rowHeight - height;
}
