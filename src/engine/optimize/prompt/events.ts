/** Which instruction and which demo set one module uses in a candidate (indexes into the candidate lists). */
export interface ModuleChoice {
  instruction: number;
  demoSet: number;
}

/** A trial's choice for every module, by module name. */
export type PromptParams = Record<string, ModuleChoice>;

/** Id of the unmodified program in lineage records. */
export const BASELINE_CANDIDATE = 'baseline';

/** Id of the candidate proposed in trial `trial` (1-based). */
export function trialCandidateId(trial: number): string {
  return `trial-${trial}`;
}

export type PromptSearchEvent =
  | { type: 'trial_started'; trial: number; params: PromptParams }
  | {
      type: 'trial_finished';
      trial: number;
      params: PromptParams;
      minibatchScore: number;
      /** Indexes into the evaluation set that formed this trial's minibatch. */
      minibatch: number[];
    }
  | {
      type: 'full_eval';
      /** Trial whose candidate was evaluated; 0 for the baseline. */
      trial: number;
      candidate: string;
      score: number;
      /** True when this score beat every earlier full evaluation (the candidate is now the best). */
      best: boolean;
    }
  | {
      /**
       * Lineage: one record per module each time a candidate becomes the best.
       * `parent` is the previous best (null for the baseline), so an editor can
       * diff a module's prompt against its parent and against the baseline.
       */
      type: 'candidate_accepted';
      candidate: string;
      module: string;
      instructions: string;
      demos: Record<string, unknown>[];
      parent: string | null;
      /** False when this module's prompt is identical to the parent's. */
      changed: boolean;
      score: number;
    }
  | { type: 'search_finished'; bestCandidate: string; bestScore: number; baselineScore: number; trials: number; stoppedBy?: 'budget' | 'cancelled' };
