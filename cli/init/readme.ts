/** The README a scaffolded repository starts with: what to set before the first pull request. */
import type { RemoteActions } from './render.ts';
import { REPOSITORY_VARIABLES } from './variables.ts';

export function teamReadme(source: RemoteActions): string {
  const mlship = `${source.owner}/${source.repo}`;
  return `# Models

Models delivered by [mlship](https://github.com/${mlship}): one folder per model under \`models/\`
(a \`model.yaml\` and its data), and \`models.lock.json\`, which pins what is served. The workflows
in \`.github/workflows/\` use mlship's actions at commit \`${source.commit}\`.

- A pull request that changes a model trains it, gates it against the version in production,
  publishes it and commits the lock to the pull request's branch, with a report as a comment.
- Merging to \`main\` builds the serving image and deploys it.

## Before the first pull request

1. Deploy mlship's AWS stack for this repository (mlship's README, "Deploy to your AWS account").
2. Set these **repository variables** (Settings → Secrets and variables → Actions → Variables;
   they are not secrets, and there are no AWS keys anywhere):

${REPOSITORY_VARIABLES.map((v) => `   - \`${v.name}\`: ${v.what}`).join('\n')}

3. Protect \`main\`: require the checks **\`mlship / gates\`** and **\`ci / reproduce\`**.
4. Restrict the \`production\` environment's deployment branches to \`main\`.

Try a model locally from a checkout of mlship: \`npx mlship train <this repository>/models/iris\`.
See mlship's \`docs/pull-requests.md\` for forks, merge queues and how to read the report.
`;
}
