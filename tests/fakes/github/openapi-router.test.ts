import { describe, expect, it } from 'vitest';
import { githubDescription } from './openapi-description.ts';
import { OpenApiRouter } from './openapi-router.ts';

const router = new OpenApiRouter(githubDescription().operations);
const match = (method: string, path: string) => {
  const found = router.match(method, path);
  return found && { operationId: found.operation.operationId, ...found.pathParams };
};

describe('routing by GitHub’s templates', () => {
  it('lets multi-segment parameters span slashes, raw or percent-encoded, wherever they stand', () => {
    expect(match('GET', '/repos/o/r/contents/models/iris/spec.yaml')).toEqual({ operationId: 'repos/get-content', owner: 'o', repo: 'r', path: 'models/iris/spec.yaml' });
    expect(match('GET', '/repos/o/r/git/ref/heads%2Ffeature%2Fx')).toEqual({ operationId: 'git/get-ref', owner: 'o', repo: 'r', ref: 'heads/feature/x' });
    expect(match('GET', '/repos/o/r/commits/feature/x/check-runs')).toEqual({ operationId: 'checks/list-for-ref', owner: 'o', repo: 'r', ref: 'feature/x' });
    expect(match('GET', '/repos/o/r/compare/main...feature/x')).toMatchObject({ operationId: 'repos/compare-commits-with-basehead', basehead: 'main...feature/x' });
  });

  it('keeps single-segment parameters to one segment, and knows nothing GitHub does not have', () => {
    expect(match('GET', '/repos/o/r/issues/1/2/comments')).toBeUndefined();
    expect(match('GET', '/repos/o/r/lock')).toBeUndefined();
    expect(match('PUT', '/repos/o/r')).toBeUndefined();
    expect(match('DELETE', '/repos/o/r/issues/comments/5')).toMatchObject({ operationId: 'issues/delete-comment', comment_id: '5' });
  });
});
