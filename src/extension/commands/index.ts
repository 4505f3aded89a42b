// Every command id in one table, as the folder's index: `../commands` is
// where every caller finds them, one handler file per command sits beside it.
// package.json's `contributes.commands` must list the same ids (a unit test
// checks both directions).

export const COMMANDS = {
  train: 'mmgrpo.train',
  optimize: 'mmgrpo.optimize',
  evaluate: 'mmgrpo.evaluate',
  showRuns: 'mmgrpo.showRuns',
  openRun: 'mmgrpo.openRun',
  resumeRun: 'mmgrpo.resumeRun',
  cancelRun: 'mmgrpo.cancelRun',
  deleteRun: 'mmgrpo.deleteRun',
  compareRuns: 'mmgrpo.compareRuns',
  refreshRuns: 'mmgrpo.refreshRuns',
  promptDiff: 'mmgrpo.promptDiff',
  applyInstruction: 'mmgrpo.applyInstruction',
  setApiKey: 'mmgrpo.setApiKey',
  openRollout: 'mmgrpo.openRollout',
  openExample: 'mmgrpo.openExample',
  pullModel: 'mmgrpo.pullModel',
  gettingStarted: 'mmgrpo.gettingStarted',
} as const;

/** The getting-started walkthrough as VS Code knows it: `<publisher>.<name>#<walkthrough id>` (package.json). */
export const WALKTHROUGH_ID = 'mmgrpo.mmgrpo-studio#gettingStarted';

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];
