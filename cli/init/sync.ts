/**
 * Writes this repository's own workflows from the templates (with `./actions/<name>`), so they
 * stay the templates rendered: `node cli/init/sync.ts`. tests/workflows/templates.test.ts checks it.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LOCAL, renderTemplate } from './render.ts';
import { WORKFLOW_TEMPLATES, readTemplate } from './templates.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

for (const t of WORKFLOW_TEMPLATES.filter((w) => w.own)) {
  await writeFile(path.join(ROOT, t.file), renderTemplate(await readTemplate(t), LOCAL, t.template));
  console.log(`wrote ${t.file}`);
}
