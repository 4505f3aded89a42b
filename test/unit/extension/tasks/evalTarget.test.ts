import { strict as assert } from 'node:assert';
import { readSettings } from '../../../../src/extension/config';
import type { RunInfo } from '../../../../src/extension/runs/runFacts';
import { evalTarget } from '../../../../src/extension/tasks/evalTarget';
import { EVAL_NEEDS_MODEL } from '../../../../src/extension/tasks/taskDefinition';

const state = { version: 1, predictors: {} };

/** A run of the task as the run store reads it; `backend` is recorded as run.json's config.mmgrpo.backend.kind. */
function run(id: string, kind: 'eval' | 'optimize' | 'train', o: { backend?: string; status?: RunInfo['status']; result?: boolean } = {}): RunInfo {
  const config = o.backend ? { strategy: 'p', mmgrpo: { backend: { kind: o.backend, model: 'smollm2' } } } : {};
  const manifest = { schemaVersion: 1, id, kind, createdAt: '', taskName: 't', taskFile: '/w/t.ts', seed: 0, config, engineVersion: '', nodeVersion: '', programStateBefore: state };
  return { id, dir: `/w/.mmgrpo/runs/${id}`, manifest, status: o.status ?? 'completed', summary: {}, events: [], resultState: o.result === false ? undefined : state } as RunInfo;
}

const embedded = readSettings(() => undefined);
const local = readSettings((k) => (k === 'backend' ? 'local' : undefined));

describe('what Evaluate evaluates', () => {
  it('on the embedded backend: the newest trained program, which must exist', () => {
    const runs = [run('e1', 'eval'), run('o2', 'optimize', { backend: 'embedded' }), run('o1', 'optimize', { backend: 'embedded' })];
    assert.deepEqual(evalTarget(embedded, runs), { kind: 'run', runId: 'o2', note: 'Evaluating the best program of run o2 (its prompts and trained weights).' });
    assert.deepEqual(evalTarget(embedded, [run('e1', 'eval'), run('o3', 'optimize', { status: 'cancelled' })]), { kind: 'none', message: EVAL_NEEDS_MODEL });
  });

  it('on the local backend: the program as written, or the newest local prompt optimization', () => {
    // Pretrained: worth evaluating before any run; runs on other backends optimized for other models.
    assert.deepEqual(evalTarget(local, []), { kind: 'program' });
    const others = [run('o9', 'optimize', { backend: 'embedded' }), run('o8', 'optimize', { backend: 'remote' }), run('e1', 'eval'), run('o7', 'optimize', { backend: 'local', status: 'failed' }), run('o6', 'optimize', { backend: 'local', result: false })];
    assert.deepEqual(evalTarget(local, others), { kind: 'program' });
    const t = evalTarget(local, [...others, run('o5', 'optimize', { backend: 'local' }), run('o4', 'optimize', { backend: 'local' })]);
    assert.equal(t.kind === 'run' && t.runId, 'o5');
  });

  it('against a server: the program as written', () => {
    const server = readSettings((k) => ({ inferenceUrl: 'http://127.0.0.1:8000/v1', model: 'm' })[k]);
    assert.deepEqual(evalTarget(server, [run('o2', 'optimize', { backend: 'embedded' })]), { kind: 'program' });
  });
});
