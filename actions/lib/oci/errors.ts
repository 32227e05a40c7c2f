/**
 * Errors of the OCI library. A registry error carries the registry, repository, digest and HTTP
 * status as typed fields and names them in its message, so a log line alone says what failed
 * where; local problems (a bad reference, a malformed manifest, a missing platform) are ImageErrors.
 */
import { MlshipError } from '../../../training/errors.ts';
import type { ErrorPlace } from '../../../training/errors.ts';

export interface RegistryErrorDetails {
  registry: string;
  repository?: string;
  /** The blob or manifest digest, or the tag, the request was about. */
  digest?: string;
  /** The HTTP status, absent when no answer came (network error). */
  status?: number;
  /** The first error code of the distribution API body (`BLOB_UNKNOWN`, `TAG_INVALID`, …). */
  code?: string;
}

export class RegistryError extends MlshipError {
  readonly details: RegistryErrorDetails;
  constructor(what: string, details: RegistryErrorDetails, options?: ErrorOptions) {
    super(`${what} (${describeDetails(details)})`, {}, options);
    this.details = details;
  }
  get status(): number | undefined {
    return this.details.status;
  }
  get code(): string | undefined {
    return this.details.code;
  }
}

function describeDetails(d: RegistryErrorDetails): string {
  const parts = [`registry ${d.registry}`];
  if (d.repository) parts.push(`repository ${d.repository}`);
  if (d.digest) parts.push(d.digest.startsWith('sha256:') ? `digest ${d.digest}` : `tag ${d.digest}`);
  parts.push(d.status === undefined ? 'no HTTP answer' : `HTTP ${d.status}`);
  if (d.code) parts.push(d.code);
  return parts.join(', ');
}

/** A local problem with an image: a bad reference, a malformed manifest or layout, no such platform. */
export class ImageError extends MlshipError {
  constructor(message: string, place: ErrorPlace = {}, options?: ErrorOptions) {
    super(message, place, options);
  }
}
