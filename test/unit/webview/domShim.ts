// A tiny DOM stand-in: just enough of Node/Element/document for the panel's
// own calls, so render logic can be exercised in plain mocha. Not a browser:
// layout is absent (clientHeight 0), which the panel must tolerate anyway.

type Listener = (ev: { type: string; key?: string; preventDefault(): void; clientX?: number }) => void;

export class ShimNode {
  childNodes: ShimNode[] = [];
  parentNode: ShimNode | null = null;
  get firstChild(): ShimNode | null {
    return this.childNodes[0] ?? null;
  }
  appendChild<T extends ShimNode>(c: T): T {
    c.parentNode?.removeChild(c);
    c.parentNode = this;
    this.childNodes.push(c);
    return c;
  }
  removeChild<T extends ShimNode>(c: T): T {
    this.childNodes = this.childNodes.filter((n) => n !== c);
    c.parentNode = null;
    return c;
  }
  get textContent(): string {
    return this.childNodes.map((n) => n.textContent).join('');
  }
  set textContent(v: string) {
    this.childNodes = [];
    this.appendChild(new ShimText(v));
  }
}

export class ShimText extends ShimNode {
  constructor(public data: string) {
    super();
  }
  override get textContent(): string {
    return this.data;
  }
  override set textContent(v: string) {
    this.data = v;
  }
}

export class ShimElement extends ShimNode {
  attributes = new Map<string, string>();
  style: Record<string, string> = {};
  listeners = new Map<string, Listener[]>();
  className = '';
  title = '';
  value = '';
  checked = false;
  open = false;
  scrollTop = 0;
  clientHeight = 0;
  constructor(public tagName: string) {
    super();
  }
  classList = {
    add: (...cs: string[]) => (this.className = [...new Set([...this.className.split(' ').filter(Boolean), ...cs])].join(' ')),
    contains: (c: string) => this.className.split(' ').includes(c),
  };
  setAttribute(k: string, v: string): void {
    this.attributes.set(k, v);
  }
  getAttribute(k: string): string | null {
    return this.attributes.get(k) ?? null;
  }
  addEventListener(type: string, fn: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  dispatch(type: string, extra: { key?: string } = {}): void {
    for (const fn of this.listeners.get(type) ?? []) fn({ type, ...extra, preventDefault() {} });
  }
  get childElementCount(): number {
    return this.childNodes.filter((n) => n instanceof ShimElement).length;
  }
  getBoundingClientRect() {
    return { left: 0, top: 0, width: 0, height: 0 };
  }
}

export function installDom(): { restore(): void } {
  const g = globalThis as Record<string, unknown>;
  const before = g.document;
  g.document = {
    createElement: (tag: string) => new ShimElement(tag),
    createElementNS: (_ns: string, tag: string) => new ShimElement(tag),
    createTextNode: (text: string) => new ShimText(text),
  };
  return { restore: () => void (g.document = before) };
}

export function* walk(n: ShimNode): Generator<ShimNode> {
  yield n;
  for (const c of n.childNodes) yield* walk(c);
}

export function elements(root: ShimNode, pred: (e: ShimElement) => boolean): ShimElement[] {
  return [...walk(root)].filter((n): n is ShimElement => n instanceof ShimElement && pred(n));
}

export const byClass = (root: ShimNode, cls: string) => elements(root, (e) => e.classList.contains(cls));
