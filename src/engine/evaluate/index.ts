export * from './evaluate';
export * from './pool';
export * from './score';
