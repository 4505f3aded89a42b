import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, WALKTHROUGH_ID } from '../../../../src/extension/commands';
import { modelToPull } from '../../../../src/extension/config';

const root = join(__dirname, '..', '..', '..', '..');

interface Step {
  id: string;
  description: string;
  media: { markdown?: string; image?: string };
  completionEvents?: string[];
}
interface Pkg {
  name: string;
  publisher: string;
  contributes: { walkthroughs: { id: string; steps: Step[] }[]; viewsWelcome: { view: string; contents: string }[] };
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Pkg;
const commandLinks = (text: string) => [...text.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]!);
const ours = new Set<string>(Object.values(COMMANDS));

describe('getting-started walkthrough', () => {
  const walk = pkg.contributes.walkthroughs?.[0];

  it('walks through the example in order: open it, pull the local model, Evaluate, Optimize prompts, Train, read the panel', () => {
    assert.ok(walk, 'contributes.walkthroughs');
    assert.deepEqual(walk.steps.map((s) => commandLinks(s.description)[0]), [COMMANDS.openExample, COMMANDS.pullModel, COMMANDS.evaluate, COMMANDS.optimize, COMMANDS.train, COMMANDS.openRun]);
    for (const s of walk.steps) assert.deepEqual(s.completionEvents, [`onCommand:${commandLinks(s.description)[0]}`], `${s.id} completes when its command runs`);
  });

  it('links only commands the extension contributes, and ships every step\'s media under media/walkthrough/', () => {
    for (const s of walk.steps) {
      for (const c of commandLinks(s.description)) assert.ok(ours.has(c), `${s.id} links ${c}`);
      const media = s.media.markdown ?? s.media.image ?? '';
      assert.match(media, /^media\/walkthrough\//, s.id);
      assert.ok(existsSync(join(root, media)), `${media} exists`);
    }
  });

  it('is what the empty Runs view and the Get started command open', () => {
    assert.equal(WALKTHROUGH_ID, `${pkg.publisher}.${pkg.name}#${walk.id}`);
    const welcome = pkg.contributes.viewsWelcome.find((w) => w.view === 'mmgrpo.runs');
    assert.ok(welcome && commandLinks(welcome.contents).includes(COMMANDS.gettingStarted), 'the empty Runs view links the walkthrough');
  });

  it('pulls the model the local backend uses, and nothing for a .gguf file', () => {
    assert.equal(modelToPull('gemma3-270m', 'smollm2'), 'gemma3-270m');
    assert.equal(modelToPull('', 'smollm2'), 'smollm2', 'an empty setting is its default');
    assert.equal(modelToPull('/models/mine.gguf', 'smollm2'), undefined);
    assert.equal(modelToPull('mine.GGUF', 'smollm2'), undefined);
  });
});
