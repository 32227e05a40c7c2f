// /openapi.json documents the job routes (schemas generated from serving/jobs/document.ts's zod
// schemas) and the web page's routes, beside the prediction routes.
import { describe, expect, it } from 'vitest';
import { jobDocumentSchema } from '../../../serving/jobs/document.ts';
import { buildOpenApi } from '../../../serving/openapi.ts';

interface Doc {
  paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
}

describe('openapi.json: jobs and the web page', () => {
  const doc = buildOpenApi('test') as unknown as Doc;

  it('lists every job route with its methods', () => {
    const methods = (p: string) => Object.keys(doc.paths[p] ?? {}).sort();
    expect(methods('/v1/models/{name}/jobs')).toEqual(['post']);
    expect(methods('/v1/models/{name}/versions/{version}/jobs')).toEqual(['post']);
    expect(methods('/v1/jobs')).toEqual(['get']);
    expect(methods('/v1/jobs/{id}')).toEqual(['delete', 'get']);
    expect(methods('/v1/jobs/{id}/results')).toEqual(['get']);
  });

  it('lists the page routes', () => {
    expect(doc.paths['/models/{name}']?.get?.responses['200']?.content).toHaveProperty(['text/html']);
    expect(doc.paths['/assets/{file}']).toHaveProperty('get');
  });

  it('describes requests and answers with the schemas of the job document', () => {
    const submit = doc.paths['/v1/models/{name}/jobs']!.post!;
    expect(submit.parameters!.map((p) => p.name)).toEqual(['name', 'version', 'probabilities', 'onError', 'callback']);
    expect(submit.responses['202']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/JobSubmitted');
    expect(doc.paths['/v1/jobs/{id}']!.get!.responses['200']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/Job');
    expect(doc.paths['/v1/jobs']!.get!.responses['200']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/JobList');
    expect(doc.paths['/v1/jobs/{id}/results']!.get!.responses).toHaveProperty(['409']);
    const job = doc.components.schemas.Job!;
    expect(Object.keys(job.properties!).sort()).toEqual(Object.keys(jobDocumentSchema.shape).sort());
    expect(job.required!.sort()).toEqual(Object.keys(jobDocumentSchema.shape).sort());
    expect(doc.components.schemas.JobList!.required!.sort()).toEqual(['jobs', 'next']);
    expect(JSON.stringify(doc.components.schemas.Job)).toContain('#/components/schemas/RowError');
  });
});
