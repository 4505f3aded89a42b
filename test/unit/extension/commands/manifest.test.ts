import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../../../src/extension/commands';
import { readSettings } from '../../../../src/extension/config';
import { STRATEGIES } from '../../../../src/engine/optimize/compose/strategyNames';
import { BACKEND_KINDS } from '../../../../src/engine/optimize/mmgrpo/config';
import { DEFAULT_LOCAL_MODEL } from '../../../../src/engine/backends/localProcess';
import { runDirArg, stepArg, taskArg } from '../../../../src/extension/commands/args';

interface Pkg {
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: { commands: { command: string }[]; configuration: { properties: Record<string, unknown> }; taskDefinitions: { type: string }[]; views: Record<string, { id: string }[]> };
}
const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as Pkg;

describe('extension manifest', () => {
  it('contributes exactly the commands of the command table', () => {
    assert.deepEqual(pkg.contributes.commands.map((c) => c.command).sort(), Object.values(COMMANDS).sort());
  });

  it('activates cheaply (no workspace-wide glob) and supports untrusted workspaces in a limited way', () => {
    assert.ok(!pkg.activationEvents.some((e) => e.startsWith('workspaceContains:**')));
    for (const e of ['onLanguage:typescript', 'onLanguage:javascript', 'onView:mmgrpo.runs', 'workspaceContains:.mmgrpo']) assert.ok(pkg.activationEvents.includes(e), e);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('has its settings, every one read by readSettings, restricted in untrusted workspaces, and no API key setting', () => {
    const keys = Object.keys(pkg.contributes.configuration.properties).sort();
    assert.deepEqual(keys, ['mmgrpo.backend', 'mmgrpo.inferenceUrl', 'mmgrpo.localModel', 'mmgrpo.model', 'mmgrpo.taskOverrides', 'mmgrpo.trainStrategy', 'mmgrpo.trainerUrl']);
    const read: string[] = [];
    readSettings((k) => void read.push(`mmgrpo.${k}`));
    assert.deepEqual(read.sort(), keys);
    assert.deepEqual([...pkg.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), keys);
    assert.equal(pkg.contributes.taskDefinitions[0].type, 'mmgrpo');
    assert.equal(pkg.contributes.views.mmgrpo[0].id, 'mmgrpo.runs');
    // The settings editor offers exactly the strategies the engine accepts.
    assert.deepEqual((pkg.contributes.configuration.properties['mmgrpo.trainStrategy'] as { enum: string[] }).enum, [...STRATEGIES]);
    // ... and exactly the backends the CLI knows, each described.
    const backend = pkg.contributes.configuration.properties['mmgrpo.backend'] as { enum: string[]; enumDescriptions: string[] };
    assert.deepEqual(backend.enum, [...BACKEND_KINDS]);
    assert.equal(backend.enumDescriptions.length, BACKEND_KINDS.length);
    // The setting's default is the CLI's: the settings editor shows what actually runs.
    assert.equal((pkg.contributes.configuration.properties['mmgrpo.localModel'] as { default: string }).default, DEFAULT_LOCAL_MODEL);
  });

  it('reads command arguments from lenses, tree nodes and the panel alike', () => {
    assert.deepEqual(taskArg({ taskFile: '/w/t.ts', taskName: 'qa' }), { taskFile: '/w/t.ts', taskName: 'qa' });
    assert.equal(taskArg('t.ts'), undefined);
    assert.equal(runDirArg({ kind: 'run', runDir: '/r/1' }), '/r/1');
    assert.equal(runDirArg(undefined), undefined);
    assert.equal(stepArg({ runDir: '/r', step: 2 }), 2);
    assert.equal(stepArg({ step: '2' }), undefined);
  });
});
