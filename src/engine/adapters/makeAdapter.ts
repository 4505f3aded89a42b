import { ChatAdapter } from './chatAdapter';
import { JSONAdapter } from './jsonAdapter';
import type { Adapter } from './types';

export interface AdapterSettings {
  adapter: 'chat' | 'json';
  /** Send guided_choice for single-literal outputs (servers with constrained decoding). */
  guidedChoice: boolean;
  /** Send the outputs' JSON Schema as response_format (servers that enforce it). */
  structuredOutputs: boolean;
}

/** The one place a run's adapter is built from its settings. */
export function makeAdapter(s: AdapterSettings): Adapter {
  if (s.adapter === 'json') return new JSONAdapter({ structuredOutputs: s.structuredOutputs });
  return new ChatAdapter({ guidedChoice: s.guidedChoice, structuredOutputs: s.structuredOutputs });
}
