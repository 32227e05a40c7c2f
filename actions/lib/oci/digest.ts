/** Content addresses as OCI writes them: `sha256:<hex>`. */
import { createHash } from 'node:crypto';

export type Digest = `sha256:${string}`;

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export function sha256Digest(bytes: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function isDigest(value: string): value is Digest {
  return DIGEST_PATTERN.test(value);
}

/** The hex part, as a blob's file name in a layout. */
export function digestHex(digest: string): string {
  return digest.slice('sha256:'.length);
}
