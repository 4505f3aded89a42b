export { type ProgramContext, runWithContext, currentContext, withLM } from './context';
export { TraceRecorder, type CallHandle } from './recorder';
export { runProgram, classifyError, type ProgramRun, type ProgramRunError } from './runProgram';
