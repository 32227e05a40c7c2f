/**
 * Each command's one-line usage, apart from the commands themselves: `mlship --help` and an unknown
 * command print them all without importing any command (the AWS SDK among them), and each command
 * imports only its own.
 */
export const TRAIN_USAGE =
  'train <modelDir>... [--out DIR] [--json] [--champion model.json]... [--lock FILE [--store URI]]   train, evaluate, gate, write artifacts';
export const SERVE_USAGE =
  'serve [--lock FILE] [--store URI | --models-dir DIR] [--port N] [--host H] [--metrics-port N] [--workers N] [--max-body-bytes N] [--max-rows N] [--max-inflight N] [--max-buffered-bytes N] [--max-output-cells N] [--body-timeout S] [--min-body-rate N] [--max-artifact-bytes N] [--fetch-timeout S] [--drain-timeout S] [--repository-url URL] [--job-workers N] [--api-keys FILE] [--allow-callback-host H] [--callback-secret-file FILE] [--callback-ca FILE] [--max-upload-bytes N] [--job-retention S] [--job-heartbeat S]   serve the pinned models (and batch jobs: see mlship worker)';
export const PUBLISH_USAGE =
  'publish <artifact.json>... [--store URI] [--lock FILE] [--commit SHA] [--json]   publish artifacts (immutably) and pin them in the lock, recording the commit they were trained at';
export const VERIFY_USAGE =
  'verify [--lock FILE] [--store URI] [--json] | verify --reproduce [--lock FILE] [--json]   check the pinned artifacts in the store, or rebuild them from the working tree';
export const REPORT_USAGE =
  'report --base <ref> [--store URI] [--out DIR]   preview the pull-request report (Markdown) of the changes since <ref>';
export const DEPLOY_USAGE =
  'deploy --cluster C --service S --container NAME --image REPO@sha256:… [--timeout MIN] [--lock FILE] [--region R] [--json]   roll an image out on ECS and wait for it';
export const INIT_USAGE =
  'init DIR --owner OWNER --commit SHA [--repo mlship]   scaffold a model repository whose workflows use mlship at that commit';
export const IMAGE_USAGE =
  'image build --to <ref|oci:DIR> [--base <ref>] [--platform linux/amd64|linux/arm64] [--lock FILE] [--store URI] [--commit SHA] [--previous TAG] [--source URL] [--bundle FILE] [--insecure] [--json]   build the serving image and push it (found by its inputs tag: no rebuild)';
export const WORKER_USAGE =
  'worker [--lock FILE] [--store URI | --models-dir DIR] [--concurrency N] [--max-artifact-bytes N] [--fetch-timeout S] [--allow-callback-host H] [--callback-secret-file FILE] [--callback-ca FILE] [--job-retention S] [--job-heartbeat S]   run batch jobs (DATABASE_URL)';
