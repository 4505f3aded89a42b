import { clear, h } from './dom';
import { visibleRange } from './virtualRange';

export interface VirtualListOptions<T> {
  /** Fixed row height in px: what makes windowing exact and cheap. */
  rowHeight: number;
  /** Viewport height in px (also used before layout, when clientHeight is 0). */
  height: number;
  renderRow: (item: T, index: number) => HTMLElement;
  onSelect?: (item: T, index: number) => void;
  /** Column headers above the rows; rows and header share the grid of `gridClass`. */
  columns?: readonly Column[];
  /** Class (in panel.css) that sets the columns' grid template for header and rows. */
  gridClass?: string;
}

export interface Column {
  label: string;
  /** What the column means (tooltip). */
  title?: string;
  num?: boolean;
}

export interface VirtualList<T> {
  /** The list with its header; the scrolling part is `.vlist` inside it. */
  element: HTMLElement;
  setItems(items: readonly T[]): void;
  setSelected(index: number | undefined): void;
  /** The selected item, if any. */
  selected(): T | undefined;
  /** Row elements currently in the DOM (for tests and diagnostics). */
  renderedCount(): number;
}

/**
 * A list that only keeps the visible rows (plus a margin) in the DOM, so a
 * step with 10,000 rollouts scrolls as fast as one with ten.
 */
export function virtualList<T>(opts: VirtualListOptions<T>): VirtualList<T> {
  const viewport = h('div', { cls: 'vlist', attrs: { tabindex: '0', role: 'listbox' } });
  const box = h('div', { cls: `vlist-box${opts.gridClass ? ` ${opts.gridClass}` : ''}` }, opts.columns ? header(opts.columns) : null, viewport);
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
    element: box,
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
    selected: () => (selected === undefined ? undefined : items[selected]),
    renderedCount: () => layer.childElementCount,
  };
}

function keepVisible<T>(viewport: HTMLElement, index: number, opts: VirtualListOptions<T>): void {
  const top = index * opts.rowHeight;
  const height = viewport.clientHeight || opts.height;
  if (top < viewport.scrollTop) viewport.scrollTop = top;
  else if (top + opts.rowHeight > viewport.scrollTop + height) viewport.scrollTop = top + opts.rowHeight - height;
}

/** Header cells; not `.row`, so row queries (tests, e2e) never hit it. */
function header(columns: readonly Column[]): HTMLElement {
  return h('div', { cls: 'vhead', attrs: { role: 'row' } }, ...columns.map((c) => h('span', { cls: `cell${c.num ? ' num' : ''}`, title: c.title, attrs: { role: 'columnheader' } }, c.label)));
}
