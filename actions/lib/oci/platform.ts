/**
 * Choosing one image from an index (OCI) or manifest list (Docker): the entry for the wanted
 * platform, passing over attestations (BuildKit stores provenance as entries with platform
 * unknown/unknown and a `vnd.docker.reference.type` annotation).
 */
import { ImageError } from './errors.ts';
import type { Descriptor, Index, Platform } from './manifest.ts';

export const DEFAULT_PLATFORM = 'linux/amd64';

/** `linux/arm64/v8` → { os, architecture, variant }. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.split('/');
  if (!os || !architecture || rest.length > 0 || variant === '') throw new ImageError(`platform "${text}" is not os/architecture[/variant] (e.g. linux/amd64, linux/arm64)`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function isAttestation(entry: Descriptor): boolean {
  return entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || (entry.platform?.os === 'unknown' && entry.platform.architecture === 'unknown');
}

// arm64 images often omit their only variant, v8; an arm (32-bit) image without one is v7 or older.
const IMPLIED_VARIANT: Record<string, string> = { arm64: 'v8' };

function matches(want: Platform, have: Platform): boolean {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  if (!want.variant) return true;
  return want.variant === (have.variant ?? IMPLIED_VARIANT[have.architecture]);
}

export function selectPlatform(index: Index, platform: string = DEFAULT_PLATFORM): Descriptor {
  const want = parsePlatform(platform);
  const candidates = index.manifests.filter((m) => !isAttestation(m) && m.platform);
  const found = candidates.find((m) => matches(want, m.platform!));
  if (!found) {
    const available = candidates.map((m) => formatPlatform(m.platform!)).join(', ') || 'none';
    throw new ImageError(`the image index has no ${formatPlatform(want)} image (it has: ${available})`);
  }
  return found;
}
