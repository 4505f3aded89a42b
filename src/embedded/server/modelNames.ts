/** Provider prefixes that DSPy/LiteLLM-style clients put in front of model names. */
const PREFIXES = ['openai/', 'arbor:', 'local:', 'huggingface/'];

/** Strips any stack of known prefixes, e.g. `openai/arbor:grpo:x` -> `grpo:x`. */
export function stripModelPrefix(name: string): string {
  let current = name.trim();
  for (;;) {
    const prefix = PREFIXES.find((p) => current.startsWith(p));
    if (prefix === undefined) return current;
    current = current.slice(prefix.length);
  }
}

/** Lowercase, filesystem- and URL-safe slug; empty input gives an empty slug. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

export function utcDateStamp(date: Date): string {
  const y = date.getUTCFullYear().toString().padStart(4, '0');
  const m = (date.getUTCMonth() + 1).toString().padStart(2, '0');
  const d = date.getUTCDate().toString().padStart(2, '0');
  return `${y}${m}${d}`;
}

/** Arbor's job naming: the job id is also the name inference requests use for the trained model. */
export function makeJobId(model: string, slug: string, date: Date): string {
  return `grpo:${model}:${slug}:${utcDateStamp(date)}`;
}

/** Directory name for a job id: ids contain ':' which some filesystems reject. */
export function safeDirName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Checkpoint names become directory names, so only plain names are allowed (no traversal). */
export function isSafeCheckpointName(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,100}$/.test(name) && name !== '.' && name !== '..';
}
