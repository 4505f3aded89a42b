import { strict as assert } from 'node:assert';
import { detectFile } from '../../../../src/engine/discovery/detectFile';
import { fixture, textAt } from './helpers';

const detectText = (text: string, path = '/w/task.ts') => detectFile(path, text);

describe('detectFile: tasks', () => {
  it('finds `export default` of an aliased defineTask and the imported program', () => {
    const { path, text } = fixture('taskAliases.ts');
    const [t, ...rest] = detectFile(path, text).tasks;
    assert.equal(rest.length, 0);
    assert.equal(t.name, 'aliases-task');
    assert.ok(textAt(text, t.range).startsWith('dt({'));
    assert.deepEqual(t.program && { ...t.program, range: undefined }, {
      className: 'AliasProgram',
      local: false,
      import: { specifier: './aliases', importedName: 'AliasProgram' },
      range: undefined,
    });
  });

  it('follows `export { task as default }` with a namespace defineTask', () => {
    const { path, text } = fixture('taskReexport.ts');
    const tasks = detectFile(path, text).tasks;
    assert.deepEqual(tasks.map((t) => [t.name, t.program?.className, t.program?.import?.specifier]), [['reexport-task', 'Renamed', './barrel']]);
  });

  it('follows `export default task` and a program held in a const', () => {
    const star = fixture('taskStar.ts');
    assert.equal(detectFile(star.path, star.text).tasks[0].name, 'star-task');
    const local = fixture('taskLocal.ts');
    const [t] = detectFile(local.path, local.text).tasks;
    assert.equal(t.program?.className, 'LocalProgram');
    assert.equal(t.program?.local, true);
  });

  it('finds module.exports = defineTask(...) in CommonJS', () => {
    const text = "const { defineTask } = require('mmgrpo');\nconst { P } = require('./p');\nmodule.exports = defineTask({ name: 'cjs', program: new P() });\n";
    const [t] = detectText(text, '/w/task.js').tasks;
    assert.equal(t.name, 'cjs');
    assert.deepEqual(t.program?.import, { specifier: './p', importedName: 'P' });
  });

  it('ignores defineTask calls that are not the default export, and look-alike defineTask functions', () => {
    assert.deepEqual(detectText("import { defineTask } from 'mmgrpo';\nexport const t = defineTask({ name: 'x' });\n").tasks, []);
    assert.deepEqual(detectText("import { defineTask } from './mine';\n// mmgrpo\nexport default defineTask({ name: 'x' });\n").tasks, []);
  });

  it('leaves the name out when it is not a literal', () => {
    const [t] = detectText("import { defineTask } from 'mmgrpo';\nconst n = 'a';\nexport default defineTask({ name: n });\n").tasks;
    assert.equal(t.name, undefined);
    assert.equal(t.program, undefined);
  });
});
