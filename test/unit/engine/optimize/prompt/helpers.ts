import type { LMRequest } from '../../../../../src/engine/lm/types';
import { Module, Predict, defineTask } from '../../../../../src/engine/sdk';
import type { Example, Task } from '../../../../../src/engine/tasks/types';
import { ScriptedLM } from '../../../../fixtures/scriptedLM';

/** The value of field `name` in the request's final user message. */
export function fieldOf(req: LMRequest, name: string): string {
  const user = req.messages[req.messages.length - 1].content;
  return new RegExp(`\\[\\[ ## ${name} ## \\]\\]\\s*([^\\n]*)`).exec(user)?.[1] ?? '';
}

export function asksFor(req: LMRequest, field: string): boolean {
  return req.messages[req.messages.length - 1].content.includes(`Respond with \`[[ ## ${field} ## ]]`);
}

export const reply = (field: string, value: string): string => `[[ ## ${field} ## ]]\n${value}\n\n[[ ## completed ## ]]`;

export class QA extends Module {
  qa = new Predict('question -> answer', { instructions: 'Answer the question.' });
  async forward(input: { question: string }) {
    return this.qa.forward(input);
  }
}

export class TwoStage extends Module {
  draft = new Predict('question -> draft');
  answer = new Predict('question, draft -> answer');
  async forward(input: { question: string }) {
    const { draft } = await this.draft.forward(input);
    return this.answer.forward({ question: input.question, draft });
  }
}

/** Correct answers are the question upper-cased. */
export function qaTask(program: Module, n = 8, withVal = true): Task {
  const rows = (offset: number): Example[] =>
    Array.from({ length: n }, (_, i) => {
      const q = `q${String.fromCharCode(97 + ((i + offset) % 26))}${i + offset}`;
      return { question: q, answer: q.toUpperCase() };
    });
  return defineTask({
    name: 'qa',
    program,
    inputs: ['question'],
    trainset: rows(0),
    ...(withVal ? { valset: rows(100) } : {}),
    metric: (ex, pred) => (pred.answer === ex.answer ? 1 : 0),
  });
}

export const MAGIC = 'Be precise and answer in capitals.';

/**
 * Answers right on every question when the instruction is MAGIC, right on
 * questions with an even number when the prompt carries a demo, wrong otherwise.
 */
export function promptSensitiveLM(): ScriptedLM {
  return new ScriptedLM((req) => {
    const q = fieldOf(req, 'question');
    const field = asksFor(req, 'draft') ? 'draft' : 'answer';
    if (field === 'draft') return reply('draft', 'd');
    const hasMagic = req.messages[0].content.includes(MAGIC);
    const hasDemo = req.messages.length > 2;
    const digits = Number(/\d+/.exec(q)?.[0] ?? 1);
    const right = hasMagic || (hasDemo && digits % 2 === 0);
    return reply('answer', right ? q.toUpperCase() : 'wrong');
  });
}
