/** `GET /repos/{owner}/{repo}`. */
import { repositoryJson } from '../repository-json.ts';
import type { Route } from '../route.ts';

export const repoRoutes: Route[] = [
  {
    operationId: 'repos/get',
    permission: ['metadata'],
    handle: (ctx) => ({
      status: 200,
      body: {
        ...repositoryJson(ctx.repository, ctx.links),
        permissions: { admin: false, maintain: false, push: ctx.grant.permissions.contents === 'write', triage: false, pull: true },
      },
    }),
  },
];
