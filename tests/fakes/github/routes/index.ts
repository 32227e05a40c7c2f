/** Every operation the fake implements; any other operation of GitHub's description answers 501. */
import type { Route } from '../route.ts';
import { actionRoutes } from './actions.ts';
import { checkRunRoutes } from './check-runs.ts';
import { commentRoutes } from './comments.ts';
import { commitRoutes } from './commits.ts';
import { contentsRoutes } from './contents.ts';
import { deploymentRoutes } from './deployments.ts';
import { gitDataRoutes } from './git-data.ts';
import { pullRoutes } from './pulls.ts';
import { repoRoutes } from './repos.ts';

export const ROUTES: readonly Route[] = [
  ...repoRoutes, ...contentsRoutes, ...gitDataRoutes, ...commitRoutes, ...pullRoutes, ...commentRoutes, ...checkRunRoutes,
  ...actionRoutes, ...deploymentRoutes,
];
