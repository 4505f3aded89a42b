export * from './paths';
export * from './runWriter';
export * from './runReader';
export * from './secrets';
export * from './atomicWrite';
export * from './manifest';
export * from './openRun';
