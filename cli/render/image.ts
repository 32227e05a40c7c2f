/** `mlship image build` as text: what was built or found, and what it cost. */
import type { BuildResult } from '../../actions/lib/image/build.ts';

const KiB = 1024;

export function formatBytes(n: number): string {
  if (n < KiB) return `${n} B`;
  if (n < KiB * KiB) return `${(n / KiB).toFixed(1)} KiB`;
  return `${(n / KiB / KiB).toFixed(1)} MiB`;
}

export function buildResultText(r: BuildResult): string {
  const models = Object.entries(r.models).map(([name, version]) => `${name}@${version}`).join(', ') || 'no models';
  const named = r.tags.some((t) => t.tag === r.inputsTag) ? r.tags : [{ tag: r.inputsTag, status: 'unchanged' as const }, ...r.tags];
  const tags = named.map((t) => `${t.tag}${t.status === 'unchanged' ? ' (already there)' : ''}`).join(', ');
  const head = r.status === 'found' ? `found ${r.image} by ${r.inputsTag}: nothing built` : `built ${r.image}`;
  return [
    head,
    `  serves ${models}`,
    `  tags ${tags}`,
    `  uploaded ${formatBytes(r.bytesUploaded)} in ${r.blobsUploaded} blob${r.blobsUploaded === 1 ? '' : 's'}; ${r.blobsReused} reused; ${r.layersReused} of ${r.layers} layers reused`,
    '',
  ].join('\n');
}
