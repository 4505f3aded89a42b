// Rebuilds examples/banking77/data/ from the Banking77 CSVs (CC-BY-4.0).
// The example ships a small, fixed subset so the embedded CPU model can learn
// it in minutes; rerun with another --intents-per-category to change it.
// Usage: node scripts/prepareBanking77.mjs [--source DIR] [--per-intent-train N] [--per-intent-val N]
import { readFileSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    source: { type: 'string', default: join(root, '..', 'shared', 'datasets', 'banking77') },
    'per-intent-train': { type: 'string', default: '20' },
    'per-intent-val': { type: 'string', default: '10' },
  },
});

// Four coarse categories with three intents each: enough structure for a
// two-module program (triage, then intent), small enough for a CPU model.
const SUBSET = {
  card: ['card_arrival', 'lost_or_stolen_card', 'change_pin'],
  top_up: ['top_up_failed', 'automatic_top_up', 'top_up_limits'],
  transfer: ['cancel_transfer', 'pending_transfer', 'declined_transfer'],
  cash: ['atm_support', 'cash_withdrawal_charge', 'declined_cash_withdrawal'],
};

// RFC 4180 reader: quoted fields may hold commas, quotes and newlines.
function parseCsv(text) {
  const records = [];
  let field = '';
  let record = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field); field = '';
      records.push(record); record = [];
    } else field += c;
  }
  if (field || record.length) { record.push(field); records.push(record); }
  return records.slice(1).filter((r) => r.length === 2).map(([t, l]) => ({ text: t.replace(/\s+/g, ' ').trim(), label: l.trim() }));
}

// Deterministic shuffle (mulberry32) so the shipped files are reproducible.
function shuffled(items, seed) {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function pick(rows, perIntent, seed) {
  const out = [];
  for (const [category, intents] of Object.entries(SUBSET)) {
    for (const intent of intents) {
      const mine = shuffled(rows.filter((r) => r.label === intent), seed).slice(0, perIntent);
      if (mine.length < perIntent) throw new Error(`Only ${mine.length} rows for ${intent}`);
      for (const r of mine) out.push({ utterance: r.text, category, intent });
    }
  }
  return shuffled(out, seed + 1);
}

const src = values.source;
const outDir = join(root, 'examples', 'banking77', 'data');
mkdirSync(outDir, { recursive: true });
const train = pick(parseCsv(readFileSync(join(src, 'train.csv'), 'utf8')), Number(values['per-intent-train']), 7);
const val = pick(parseCsv(readFileSync(join(src, 'test.csv'), 'utf8')), Number(values['per-intent-val']), 11);
// JSON arrays, one row per line: task.ts imports them as JSON modules (no Node typings needed in the example).
const write = (name, rows) => writeFileSync(join(outDir, name), `[\n${rows.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`);
write('train.json', train);
write('val.json', val);
writeFileSync(join(outDir, 'subset.json'), JSON.stringify(SUBSET, null, 2) + '\n');
copyFileSync(join(src, 'LICENSE'), join(outDir, 'LICENSE'));
console.log(`wrote ${train.length} train and ${val.length} val rows to ${outDir}`);
