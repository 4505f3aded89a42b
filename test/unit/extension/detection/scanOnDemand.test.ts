import { strict as assert } from 'node:assert';
import { importsSdk } from '../../../../src/extension/detection/scanGlobs';
import { installFakeVscode } from '../fakeVscode';

const doc = (file: string, text: string) => ({ uri: { scheme: 'file', fsPath: file, toString: () => `file://${file}` }, getText: () => text, version: 1, isDirty: false });

const SERVICE = '../../../../src/extension/detection/detectionService';
// One stub for the file: the service binds `vscode` when first loaded.
const openDocs: ReturnType<typeof doc>[] = [];
let listings = 0;
let fake: ReturnType<typeof installFakeVscode> | undefined;

/** Starts a DetectionService over a fake workspace with these open documents; counts the workspace listings. */
async function scansWith(docs: ReturnType<typeof doc>[]): Promise<number> {
  openDocs.splice(0, openDocs.length, ...docs);
  listings = 0;
  const { DetectionService } = require(SERVICE) as typeof import('../../../../src/extension/detection/detectionService');
  const d = new DetectionService();
  d.start();
  await new Promise((r) => setTimeout(r, 20));
  d.dispose();
  return listings;
}

describe('workspace scan on demand (footprint)', () => {
  before(() => {
    // Another test may have loaded the service against its own stub: load it again against ours.
    delete require.cache[require.resolve(SERVICE)];
    fake = installFakeVscode({
      'workspace.workspaceFolders': [{ uri: { fsPath: '/w' } }],
      'workspace.textDocuments': openDocs,
      'workspace.getWorkspaceFolder': () => ({ uri: { fsPath: '/w' } }),
      'workspace.asRelativePath': (u: { fsPath: string }) => u.fsPath.slice(3),
      'workspace.getConfiguration': () => ({ get: () => ({}) }),
      'workspace.fs': { readFile: async () => Promise.reject(Object.assign(new Error('no .gitignore'), { code: 'FileNotFound' })) },
      'workspace.findFiles': async () => {
        listings++;
        return [];
      },
    });
  });
  after(() => fake?.restore());

  it('recognises files that import the SDK, and only those', () => {
    assert.ok(importsSdk("import { Module } from 'mmgrpo';"));
    assert.ok(importsSdk('const { Predict } = require("mmgrpo");'));
    assert.ok(importsSdk("import 'mmgrpo';"));
    assert.ok(!importsSdk("import x from 'mmgrpo-ts-plugin';"));
    assert.ok(!importsSdk('// we mention mmgrpo in a comment'));
  });

  it('does not list the workspace for a JS/TS project that never uses MMGRPO', async () => {
    assert.equal(await scansWith([doc('/w/app.ts', "import express from 'express';")]), 0);
  });

  it('scans once a document that imports the SDK is open', async () => {
    assert.equal(await scansWith([doc('/w/app.ts', "import express from 'express';"), doc('/w/task.ts', "import { defineTask } from 'mmgrpo';")]), 1);
  });
});
