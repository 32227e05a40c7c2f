/** The job summary of the build-image action: what was built or found, and what it cost. */
import type { BuildResult } from '../lib/image/build.ts';

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function summaryMarkdown(r: BuildResult): string {
  const models = Object.entries(r.models).map(([name, version]) => `| ${cell(name)} | \`${version}\` |`);
  return [
    `### Serving image ${r.status === 'found' ? 'found (nothing built)' : 'built'}`,
    '',
    `\`${r.image}\``,
    '',
    '| | |',
    '| --- | --- |',
    `| inputs tag | \`${r.inputsTag}\` |`,
    `| tags added | ${r.tags.map((t) => `\`${t.tag}\`${t.status === 'unchanged' ? ' (already there)' : ''}`).join(', ') || 'none'} |`,
    `| uploaded | ${r.bytesUploaded.toLocaleString('en-US')} bytes in ${r.blobsUploaded} blobs (${r.blobsReused} reused) |`,
    `| layers reused | ${r.layersReused} of ${r.layers} |`,
    '',
    '| model | version |',
    '| --- | --- |',
    ...(models.length > 0 ? models : ['| (none pinned) | |']),
    '',
  ].join('\n');
}
