import type { SftConfig, SftExample } from '../backend';
import { asArray, Fields, readMessages } from './fields';
import { badRequest } from './httpError';
import { stripModelPrefix } from './modelNames';

export interface SftInput {
  model: string;
  examples: SftExample[];
  config: SftConfig;
}

/**
 * Our extension route `fine_tuning/sft`: supervised warm start on chat
 * examples (completion-only loss), for a model too small to follow the
 * output format from random initialization. Not part of Arbor.
 */
export function parseSft(body: unknown): SftInput {
  const f = new Fields(body, '').allowOnly(['model', 'examples', 'learning_rate', 'epochs', 'batch_size', 'seed']);
  const model = stripModelPrefix(f.string('model'));
  const raw = asArray(f.required('examples'), 'examples');
  if (raw.length === 0) throw badRequest('`examples` must hold at least one {messages, completion} example.', 'examples');
  const examples = raw.map((r, i) => {
    const e = new Fields(r, `examples[${i}]`).allowOnly(['messages', 'completion']);
    return { messages: readMessages(e.required('messages'), e.at('messages')), completion: e.string('completion') };
  });
  const config: SftConfig = {
    learning_rate: f.optNumber('learning_rate', { above: 0, max: 1 }) ?? 1e-3,
    epochs: f.optNumber('epochs', { integer: true, min: 1, max: 1000 }) ?? 1,
    batch_size: f.optNumber('batch_size', { integer: true, min: 1, max: 4096 }) ?? 16,
    seed: f.optNumber('seed', { integer: true, min: 0 }) ?? 0,
  };
  return { model, examples, config };
}
