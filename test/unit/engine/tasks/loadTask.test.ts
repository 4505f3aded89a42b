import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadTaskFile, TaskLoadError } from '../../../../src/engine/tasks/loadTask';
import { TaskDefinitionError } from '../../../../src/engine/tasks/defineTask';
import { Module } from '../../../../src/engine/program/module';

const fixture = (name: string) => join(__dirname, '..', '..', '..', 'fixtures', 'tasks', name);

describe('loadTaskFile', () => {
  it('bundles a TypeScript task file, resolving mmgrpo to the engine SDK and relative imports', async () => {
    const { task, file } = await loadTaskFile(fixture('good.ts'));
    assert.equal(task.name, 'echo');
    assert.equal(file, fixture('good.ts'));
    assert.ok(task.program instanceof Module, 'program classes extend the engine Module');
    assert.deepEqual(task.trainset, [{ question: 'q1', answer: 'a1' }]);
    assert.deepEqual(task.program.namedPredictors().map(([n]) => n), ['answer']);
  });

  it('reports a syntax error with file, line and column', async () => {
    await assert.rejects(loadTaskFile(fixture('syntaxError.ts')), (e: Error) => {
      assert.ok(e instanceof TaskLoadError);
      assert.match(e.message, /syntaxError\.ts:5:\d+: /);
      assert.equal(e.line, 5);
      return true;
    });
  });

  it('says how to fix a missing default export', async () => {
    await assert.rejects(loadTaskFile(fixture('noDefault.ts')), /does not default-export a task.*export default defineTask/);
  });

  it('names the line where loading threw', async () => {
    await assert.rejects(loadTaskFile(fixture('throws.ts')), (e: Error) => {
      assert.ok(e instanceof TaskLoadError);
      assert.match(e.message, /throws\.ts:4:\d+: loading the task threw Error: data file is missing/);
      return true;
    });
  });

  it('names the example and the missing input field', async () => {
    await assert.rejects(loadTaskFile(fixture('missingField.ts')), (e: Error) => {
      assert.match(e.message, /trainset\[1\] is missing the input field "question" \(it has: prompt\)/);
      return e instanceof TaskDefinitionError || e instanceof TaskLoadError;
    });
  });

  it('rejects a missing file and a non-script file', async () => {
    await assert.rejects(loadTaskFile(fixture('nope.ts')), /Task file not found/);
    await assert.rejects(loadTaskFile(join(__dirname, '..', '..', '..', '..', 'package.json')), /not a TypeScript or JavaScript file/);
  });
});
