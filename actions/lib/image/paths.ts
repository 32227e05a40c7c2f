/** Where the serving image keeps its parts, and the command that runs them. */
export const APP_DIR = '/app';
export const BUNDLE_PATH = `${APP_DIR}/serve.mjs`;
export const LOCK_PATH = `${APP_DIR}/models.lock.json`;
export const MODELS_DIR = `${APP_DIR}/models`;
export const SERVING_PORT = 8080;

/** `node serve.mjs --lock … --models-dir …`: the lock and the baked-in artifacts it pins. */
export const SERVING_COMMAND = ['node', BUNDLE_PATH, '--lock', LOCK_PATH, '--models-dir', MODELS_DIR] as const;

/** An artifact's place under MODELS_DIR: the store's own key layout, as `mlship serve --models-dir` reads it. */
export function modelPath(name: string, version: string): string {
  return `${MODELS_DIR}/${name}/${version}/model.json`;
}
