export { type ProgramContext, runWithContext, currentContext, withLM } from './context';
export { PredictorNames, TraceRecorder, type CallHandle } from './recorder';
export { runProgram, programNames, classifyError, type ProgramRun, type ProgramRunError } from './runProgram';
