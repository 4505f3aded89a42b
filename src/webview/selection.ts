/**
 * Which row stays selected after a list's items change (a filter, a new
 * snapshot): the selected item if it is still shown, else the first shown
 * one, else none, so the detail pane never shows an item the list hides.
 */
export function reselect<T>(shown: readonly T[], selectedKey: string | undefined, key: (item: T) => string): number | undefined {
  if (shown.length === 0) return undefined;
  if (selectedKey !== undefined) {
    const at = shown.findIndex((item) => key(item) === selectedKey);
    if (at >= 0) return at;
  }
  return 0;
}

/** A list's remembered selection: where it starts and where changes go (the panel's saved state). */
export interface SelectionStore {
  initial?: string;
  save(key: string | undefined): void;
}
