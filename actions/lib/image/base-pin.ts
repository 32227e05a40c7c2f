/**
 * The default base of the serving image: Node 24 on Debian slim from the Amazon ECR Public mirror
 * of Docker's official images (the same images as Docker Hub, without its anonymous pull limits),
 * pinned by digest so a build never moves under a rolling tag.
 *
 * The digest is the multi-platform index (amd64 and arm64 are chosen from it). It was taken from
 * `node:24-bookworm-slim` (Node 24.18.0) and could not be checked from this machine, which reaches
 * no outside registry. Refresh it with:
 *
 *   skopeo inspect --raw docker://public.ecr.aws/docker/library/node:24-bookworm-slim > index.json
 *   skopeo manifest-digest index.json
 *
 * and put the printed digest here (one commit: every inputs tag changes with it, so the next
 * deploy rebuilds on the new base).
 */
export const DEFAULT_BASE_REPOSITORY = 'public.ecr.aws/docker/library/node';
export const DEFAULT_BASE_TAG = '24-bookworm-slim';
export const DEFAULT_BASE_DIGEST = 'sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d';
export const DEFAULT_BASE_IMAGE = `${DEFAULT_BASE_REPOSITORY}:${DEFAULT_BASE_TAG}@${DEFAULT_BASE_DIGEST}`;
