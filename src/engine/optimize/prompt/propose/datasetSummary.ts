import type { Example } from '../../../tasks/types';
import { seededRandom, shuffle } from '../../../util/rng';
import { clip, fieldLines } from './text';

export interface FieldStats {
  name: string;
  role: 'input' | 'label';
  /** JS types seen (string, number, boolean, object...). */
  types: string[];
  /** Mean length of string values, when there are some. */
  meanChars?: number;
  /** Value counts, most frequent first, when the field looks categorical. */
  distribution?: Array<{ value: string; count: number }>;
  /** Distinct values seen. */
  distinct: number;
}

export interface DatasetSummary {
  size: number;
  fields: FieldStats[];
  /** A seeded sample of train examples. */
  examples: Example[];
}

export interface DatasetSummaryOptions {
  /** Example keys the program receives; every other key is a label. */
  inputs: readonly string[];
  seed: number;
  /** Examples shown (default 3). */
  sampleSize?: number;
  /** A field is categorical with at most this many distinct values (default 20) that repeat. */
  maxCategories?: number;
}

/**
 * A description of the train set computed from the data itself (no LM call):
 * field roles and types, label distributions of categorical fields, and a few
 * seeded examples. Distributions use the whole train set: they are cheap and
 * a sample would miss rare classes.
 */
export function summarizeDataset(trainset: readonly Example[], o: DatasetSummaryOptions): DatasetSummary {
  const names = [...new Set(trainset.flatMap((ex) => Object.keys(ex)))];
  const fields = names.map((name) => fieldStats(trainset, name, o));
  const sample = shuffle(trainset, seededRandom(o.seed)).slice(0, o.sampleSize ?? 3);
  return { size: trainset.length, fields, examples: sample.map((ex) => ({ ...ex })) };
}

function fieldStats(trainset: readonly Example[], name: string, o: DatasetSummaryOptions): FieldStats {
  const values = trainset.map((ex) => ex[name]).filter((v) => v !== undefined);
  const types = [...new Set(values.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)))];
  const counts = new Map<string, number>();
  for (const v of values) {
    const key = typeof v === 'string' ? v : JSON.stringify(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const out: FieldStats = { name, role: o.inputs.includes(name) ? 'input' : 'label', types, distinct: counts.size };
  const strings = values.filter((v): v is string => typeof v === 'string');
  if (strings.length > 0) out.meanChars = Math.round(strings.reduce((s, v) => s + v.length, 0) / strings.length);
  // Scalars only, few distinct values, and values that repeat: free text is never a category.
  const scalar = types.every((t) => t === 'string' || t === 'number' || t === 'boolean');
  const categorical = scalar && counts.size <= (o.maxCategories ?? 20) && counts.size * 2 <= values.length;
  if (categorical) out.distribution = [...counts.entries()].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  return out;
}

/** Plain-text rendering for the proposal prompt. */
export function formatDatasetSummary(s: DatasetSummary): string {
  const lines = [`The train set has ${s.size} example(s). Fields:`];
  for (const f of s.fields) {
    const len = f.meanChars !== undefined ? `, about ${f.meanChars} characters` : '';
    lines.push(`- ${f.name} (${f.role === 'input' ? 'program input' : 'label'}; ${f.types.join('/')}${len}; ${f.distinct} distinct value(s))`);
    if (f.distribution) {
      const total = f.distribution.reduce((n, d) => n + d.count, 0);
      const shown = f.distribution.slice(0, 12).map((d) => `${clip(d.value, 40)} ${Math.round((100 * d.count) / total)}%`);
      lines.push(`  distribution: ${shown.join(', ')}${f.distribution.length > 12 ? `, and ${f.distribution.length - 12} more` : ''}`);
    }
  }
  s.examples.forEach((ex, i) => {
    lines.push(`Example ${i + 1}:`);
    lines.push(...fieldLines(ex, 160));
  });
  return lines.join('\n');
}
