/**
 * Records the JSON bodies real clients send, through the `fetch` each client
 * accepts as an option, so the suite shows (and checks) what they send by default.
 */
export interface LoggedRequest {
  label: string;
  path: string;
  body: Record<string, unknown>;
}

export class BodyLog {
  readonly entries: LoggedRequest[] = [];
  /** Set before each client call: names the entries it produces. */
  label = '';

  /** A fetch that logs the body, then sends the request unchanged. */
  readonly fetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (typeof init?.body === 'string') {
      this.entries.push({ label: this.label, path: new URL(url).pathname, body: JSON.parse(init.body) as Record<string, unknown> });
    }
    return fetch(input, init);
  };

  /** Bodies sent since `label` was set to `label`. */
  bodies(label: string): Array<Record<string, unknown>> {
    return this.entries.filter((e) => e.label === label).map((e) => e.body);
  }

  /** One line per call: the label, the route and the top-level fields (messages elided). */
  summary(): string {
    return this.entries
      .map((e) => `  ${e.label.padEnd(34)} ${e.path.padEnd(22)} ${JSON.stringify(e.body, (k, v) => (k === 'messages' || k === 'schema' ? '…' : v))}`)
      .join('\n');
  }
}
