/** The serving library's public surface (what `mlship serve` and `npm start` use). */
export { createApp } from './app.ts';
export type { AppOptions, ServingApp } from './app.ts';
export { runWorker } from './cluster/worker.ts';
export type { RunningWorker } from './cluster/worker.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export type { Limits } from './limits.ts';
export { loadModels, modelsDirSource, storeSource, verifyArtifact } from './loader.ts';
export type { FetchArtifact, LoadFailure, LoadResult } from './loader.ts';
export type { ServedModel } from './model.ts';
export { compilePredictor } from './compile-predictor.ts';
export type { Predictor } from './predictor.ts';
export { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_PORT, startServer } from './server.ts';
export type { RunningServer, StartOptions } from './server.ts';
export { createState, installModels, stateWith } from './state.ts';
export type { ServingState } from './state.ts';
