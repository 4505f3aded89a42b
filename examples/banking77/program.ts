import { Module, Predict } from 'mmgrpo';
import { CATEGORIES, INTENTS } from './labels';

const literal = (values: readonly string[]) => `Literal[${values.map((v) => `'${v}'`).join(', ')}]`;

/**
 * Two modules: a triage step picks the coarse category, then a classifier picks
 * the intent knowing that category. MMGRPO groups rollouts per module, so each
 * step gets its own reward groups.
 */
export class BankingIntentProgram extends Module {
  triage = new Predict(`utterance -> category: ${literal(CATEGORIES)}`, {
    instructions: 'Which area of banking is this customer message about?',
  });
  classify = new Predict(`utterance, category -> intent: ${literal(INTENTS)}`, {
    instructions: 'Name the precise intent of the customer message; it belongs to the given category.',
  });

  async forward(input: { utterance: string }) {
    const { category } = await this.triage.forward({ utterance: input.utterance });
    const { intent } = await this.classify.forward({ utterance: input.utterance, category });
    return { category, intent };
  }
}
