import { PROPOSAL_FIELD } from './proposalPrompt';

export type ProposalParse =
  | { ok: true; instruction: string; shortened: boolean }
  | { ok: false; reason: 'malformed' | 'empty' | 'too_long' };

const MARKER = /\[\[\s*##\s*([A-Za-z_]+)\s*##\s*\]\]/g;

/**
 * Reads one proposal answer. Accepted forms: the requested field marker, or
 * a JSON object (bare or fenced) with a `proposed_instruction`/`instruction`
 * string. Anything else is malformed: guessing which part of free text is
 * the instruction would put chatter into the program's prompts.
 */
export function parseProposal(text: string, maxChars: number): ProposalParse {
  const raw = fromMarker(text) ?? fromJson(text);
  if (raw === undefined) return { ok: false, reason: 'malformed' };
  const cleaned = clean(raw);
  if (cleaned.length === 0) return { ok: false, reason: 'empty' };
  if (cleaned.length <= maxChars) return { ok: true, instruction: cleaned, shortened: false };
  const cut = cutAtSentence(cleaned, maxChars);
  return cut ? { ok: true, instruction: cut, shortened: true } : { ok: false, reason: 'too_long' };
}

function fromMarker(text: string): string | undefined {
  const marks = [...text.matchAll(MARKER)];
  const at = marks.findIndex((m) => m[1] === PROPOSAL_FIELD);
  if (at < 0) return undefined;
  const start = marks[at].index! + marks[at][0].length;
  const end = at + 1 < marks.length ? marks[at + 1].index! : text.length;
  return text.slice(start, end);
}

function fromJson(text: string): string | undefined {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1];
  for (const candidate of [fenced, text]) {
    if (candidate === undefined) continue;
    try {
      const v = JSON.parse(candidate.trim()) as Record<string, unknown> | null;
      const found = v && typeof v === 'object' ? (v[PROPOSAL_FIELD] ?? v.instruction) : undefined;
      if (typeof found === 'string') return found;
    } catch {
      // not JSON: try the next form
    }
  }
  return undefined;
}

/** Trims, drops wrapping quotes and label prefixes, and squeezes blank lines. */
function clean(s: string): string {
  let t = s.trim().replace(/^(?:instruction|proposed instruction)\s*:\s*/i, '').trim();
  const quoted = /^(["'`])([\s\S]*)\1$/.exec(t);
  if (quoted) t = quoted[2].trim();
  return t.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n');
}

/** The longest prefix ending a sentence within the limit, if it keeps at least half of the limit. */
function cutAtSentence(s: string, maxChars: number): string | undefined {
  const head = s.slice(0, maxChars);
  let end = -1;
  for (const m of head.matchAll(/[.!?](?=\s|$)/g)) end = m.index! + 1;
  return end >= maxChars / 2 ? head.slice(0, end).trim() : undefined;
}
