/**
 * Renders a workflow template for where mlship's actions live: `./actions/<name>` in this
 * repository, `<owner>/<repo>/actions/<name>@<commit>` in a team's (pinned to a commit, like every
 * other action: a tag can be moved).
 */
import { MlshipError } from '../../training/errors.ts';

export interface RemoteActions {
  readonly kind: 'remote';
  readonly owner: string;
  readonly repo: string;
  readonly commit: string;
}
export type ActionSource = { readonly kind: 'local' } | RemoteActions;

export const LOCAL: ActionSource = { kind: 'local' };

const ACTION = /%MLSHIP%\/([a-z][a-z0-9-]*)/g;
const REPO = '%MLSHIP_REPO%';
const COMMIT = '%MLSHIP_COMMIT%';

export function renderTemplate(text: string, source: ActionSource, name = 'template'): string {
  const rendered =
    source.kind === 'local'
      ? text.replace(ACTION, './actions/$1')
      : text
          .replace(ACTION, `${source.owner}/${source.repo}/actions/$1@${source.commit}`)
          .replaceAll(REPO, `${source.owner}/${source.repo}`)
          .replaceAll(COMMIT, source.commit);
  // A placeholder left over (e.g. the mlship repository in a local rendering) is a template bug.
  const left = /%MLSHIP[A-Z_]*%/.exec(rendered);
  if (left) throw new MlshipError(`${name}: ${left[0]} cannot be rendered for ${source.kind} actions`);
  return rendered;
}
