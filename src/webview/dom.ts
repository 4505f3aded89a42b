/// <reference lib="dom" />
// Tiny DOM helpers. Every piece of run data goes in as a text node or
// textContent, never as markup, so model output cannot inject HTML.

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  cls?: string;
  title?: string;
  /** Fixed, code-chosen attributes only (never run data in href/src/on*). */
  attrs?: Record<string, string>;
  onClick?: (ev: Event) => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.cls) el.className = props.cls;
  if (props.title !== undefined) el.title = props.title;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  if (props.onClick) el.addEventListener('click', props.onClick);
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** A preformatted block: model output shown verbatim as text. */
export function pre(text: string, cls = 'text'): HTMLPreElement {
  const el = h('pre', { cls });
  el.textContent = text;
  return el;
}

/** A labelled, collapsible section. */
export function section(title: string, open: boolean, ...children: Child[]): HTMLDetailsElement {
  const d = h('details', { cls: 'section' }, h('summary', {}, title), ...children);
  d.open = open;
  return d;
}
