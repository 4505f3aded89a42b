import { defineTask } from 'mmgrpo';
import { BankingIntentProgram } from './program';
// JSON modules: the engine bundles them into the task, and the editor types
// them with nothing installed (no Node typings needed to read files).
import train from './data/train.json';
import val from './data/val.json';

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
  trainset: train,
  valset: val,
  metric: (example, prediction) => (prediction.intent === example.intent ? 1 : prediction.category === example.category ? 0.5 : 0),
});
