import type { ChatMessage } from '../../../../protocol/lm';
import type { Demo } from '../bootstrap';
import { fieldLines } from './text';

/** The answer field the proposer must fill (parsed by parseProposal). */
export const PROPOSAL_FIELD = 'proposed_instruction';

export interface ProposalPromptInput {
  module: string;
  /** formatProgramSummary output. */
  program: string;
  /** formatDatasetSummary output. */
  data: string;
  currentInstruction: string;
  /** Demos of this module (e.g. one bootstrapped set); may be empty. */
  demos: readonly Demo[];
  tip?: string;
  /** Longest instruction that will be kept. */
  maxChars: number;
}

const MAX_DEMOS = 3;

/** One proposal request: grounding (program, data, demos), a tip, and a strict answer format. */
export function proposalMessages(i: ProposalPromptInput): ChatMessage[] {
  const system = [
    'You improve language-model programs by writing the instruction of one of their modules.',
    'An instruction is the task description the module\'s model reads before its inputs; it should help that model produce correct outputs for the data described.',
    `Reply with the instruction only, in at most ${i.maxChars} characters, in exactly this format:`,
    `[[ ## ${PROPOSAL_FIELD} ## ]]`,
    '<the instruction>',
    '',
    '[[ ## completed ## ]]',
  ].join('\n');
  const parts = [
    '## Program', i.program, '',
    '## Data', i.data, '',
    `## Module to instruct: ${i.module}`, `Its current instruction: ${i.currentInstruction}`, '',
    ...demoSection(i.demos),
    ...(i.tip ? ['## Tip', i.tip, ''] : []),
    `Write a new instruction for the module \`${i.module}\`, in the format given above.`,
  ];
  return [
    { role: 'system', content: system },
    { role: 'user', content: parts.join('\n') },
  ];
}

function demoSection(demos: readonly Demo[]): string[] {
  if (demos.length === 0) return [];
  const shown = demos.slice(0, MAX_DEMOS);
  const lines = ['## Example calls of this module (inputs and outputs, from runs that scored well or from labeled data)'];
  shown.forEach((d, k) => {
    lines.push(`Call ${k + 1}:`);
    lines.push(...fieldLines(d, 200));
  });
  lines.push('');
  return lines;
}
