import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL, renderTemplate } from '../../cli/init/render.ts';
import { TEMPLATES_DIR, WORKFLOW_TEMPLATES } from '../../cli/init/templates.ts';
import { REPOSITORY_VARIABLES } from '../../cli/init/variables.ts';
import { REPO } from '../helpers/temp.ts';
import { workflowFiles } from './files.ts';

const template = (name: string) => readFileSync(path.join(TEMPLATES_DIR, name), 'utf8');
// mlship's actions (the names of actions/<name>/ that the workflows may use).
const MLSHIP_ACTIONS = ['train', 'publish', 'report', 'verify-lock', 'build-image', 'deploy'];
const remote = { kind: 'remote', owner: 'acme', repo: 'mlship', commit: 'a'.repeat(40) } as const;

describe('one source of truth for the workflows', () => {
  it.each(WORKFLOW_TEMPLATES.filter((t) => t.own))("this repository's $file is $template rendered with ./actions/", (t) => {
    const own = readFileSync(path.join(REPO, t.file), 'utf8');
    // On a difference: edit the template, then `node cli/init/sync.ts`.
    expect(own).toBe(renderTemplate(template(t.template), LOCAL, t.template));
  });

  it('every workflow here is a rendered template, but ci.yml (mlship\'s own CI)', () => {
    const rendered = WORKFLOW_TEMPLATES.filter((t) => t.own).map((t) => path.basename(t.file));
    expect(workflowFiles()).toEqual([...rendered, 'ci.yml'].sort());
  });

  it("renders a team's workflows with mlship's actions pinned to the commit", () => {
    for (const t of WORKFLOW_TEMPLATES) {
      const text = renderTemplate(template(t.template), remote, t.template);
      expect(text).not.toMatch(/\.\/actions\/|%MLSHIP/);
      for (const [, action, ref] of text.matchAll(/uses: acme\/mlship\/actions\/([a-z-]+)@(\S+)/g)) {
        expect(MLSHIP_ACTIONS, action).toContain(action);
        expect(ref).toBe(remote.commit);
      }
    }
  });

  it('a placeholder that cannot be rendered locally is an error, not a broken workflow', () => {
    expect(() => renderTemplate(template('team-ci.yml'), LOCAL, 'team-ci.yml')).toThrow(/%MLSHIP_REPO% cannot be rendered for local actions/);
  });

  it('the README stub names exactly the repository variables the workflows read', () => {
    const used = new Set(WORKFLOW_TEMPLATES.flatMap((t) => [...template(t.template).matchAll(/\bvars\.([A-Z0-9_]+)/g)].map((m) => m[1]!)));
    expect([...used].sort()).toEqual(REPOSITORY_VARIABLES.map((v) => v.name).sort());
  });
});
