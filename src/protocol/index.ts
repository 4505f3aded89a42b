export * from './lm';
export * from './trace';
export * from './events';
export * from './trainer';
export * from './webview';
