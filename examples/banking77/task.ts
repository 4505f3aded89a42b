import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineTask } from 'mmgrpo';
import { BankingIntentProgram } from './program';

type Row = { utterance: string; category: string; intent: string };

function load(name: string): Row[] {
  const text = readFileSync(join(__dirname, 'data', name), 'utf8');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Row);
}

/**
 * Banking77 intent classification (a 12-intent subset, CC-BY-4.0).
 * Metric: 1 for the right intent; 0.5 partial credit when only the coarse
 * category is right (it gives the triage module a reward of its own); else 0.
 */
export default defineTask({
  name: 'banking77',
  description: 'Customer message -> category -> intent (Banking77 subset)',
  program: new BankingIntentProgram(),
  inputs: ['utterance'],
  trainset: load('train.jsonl'),
  valset: load('val.jsonl'),
  metric: (example, prediction) => (prediction.intent === example.intent ? 1 : prediction.category === example.category ? 0.5 : 0),
});
