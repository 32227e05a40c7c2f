/**
 * Batch jobs (serving/jobs/): `POST /v1/models/{name}/jobs` (a CSV body, streamed to the store),
 * `GET /v1/jobs/{id}`, `GET /v1/jobs/{id}/results`, `DELETE /v1/jobs/{id}` (cancel) and
 * `GET /v1/jobs?model=&status=&limit=&cursor=` (newest first).
 *
 * With API keys, a job belongs to the key that created it, and any other key (or none) gets a 404
 * for it, as for a job that does not exist. Without keys, jobs are open to anyone who can reach
 * the server. Off (no database, or an S3 store without one): 503 saying what to configure.
 */
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import type { Env, ServingContext } from '../context.ts';
import { header } from '../context.ts';
import { badRequest, clip, RequestError } from '../errors.ts';
import { keyOwner } from '../jobs/api-keys.ts';
import { CallbackUrlError, checkCallbackUrl } from '../jobs/callback-url.ts';
import type { JobsConfig } from '../jobs/config.ts';
import { BATCH_JOBS_OFF } from '../jobs/config.ts';
import { JOB_ID, jobLinks, newJobId } from '../jobs/job-id.ts';
import { jobKey } from '../jobs/keys.ts';
import type { JobsService } from '../jobs/service.ts';
import { cancelJob, getJob, insertJob, jobDocument, listJobs } from '../jobs/table.ts';
import type { JobRow } from '../jobs/table.ts';
import { uploadStream } from '../jobs/upload.ts';
import { bodyKind } from '../negotiation.ts';
import { checkProbabilities, queryProbabilities } from '../prediction.ts';
import type { Logger } from '../log.ts';
import type { RouteDeps } from './deps.ts';
import { lookup } from './lookup.ts';

/** The key's id that a request carries: a 401 when the server has keys and the request none of them. */
export function requireKey(keys: ReadonlyMap<string, string> | undefined, c: ServingContext): string | null {
  if (!keys) return null;
  const owner = keyOwner(keys, header(c, 'authorization'));
  if (owner === undefined) throw new RequestError(401, 'this server needs an API key: send "Authorization: Bearer <key>"', {}, { 'WWW-Authenticate': 'Bearer' });
  return owner;
}

/** `keys`: the server's API keys by hash (`ownerIndex`), the same index that guards the predict routes. */
export function jobRoutes(deps: RouteDeps, config: JobsConfig | undefined, keys: ReadonlyMap<string, string> | undefined, logger?: Logger): { app: Hono<Env>; close(): Promise<void> } {
  const app = new Hono<Env>();
  let opening: Promise<JobsService> | undefined;
  const service = async (): Promise<JobsService> => {
    if (!config?.databaseUrl) throw new RequestError(503, config?.disabledReason ?? BATCH_JOBS_OFF);
    // Loaded on first use: an HTTP worker that is never asked for a job loads neither the queue
    // (pg-boss, pg) nor the store's AWS SDK (tests/serving/lean-worker.test.ts).
    opening ??= import('../jobs/service.ts').then(({ openJobs }) => openJobs(config, { supervise: false, poolSize: 4 }));
    try {
      return await opening;
    } catch (err) {
      opening = undefined;
      // the database's error names its host: the log has it, the answer does not
      logger?.log({ level: 'error', msg: 'jobs database not reachable', error: clip((err as Error).message, 500) });
      throw new RequestError(503, 'the jobs database is not reachable (see the server log)', {}, { 'Retry-After': '5' });
    }
  };
  const ownJob = async (c: ServingContext, s: JobsService): Promise<JobRow> => {
    const owner = requireKey(keys, c);
    const id = c.req.param('id')!;
    const row = JOB_ID.test(id) ? await getJob(s.pool, id) : undefined;
    if (!row || (keys && row.owner !== owner)) throw new RequestError(404, `no job "${clip(id)}"`, { job: clip(id, 100) });
    return row;
  };

  const submit = async (c: ServingContext, name: string, version: string | undefined) => {
    c.env.info.route = 'job_submit';
    const s = await service();
    const owner = requireKey(keys, c);
    const model = lookup(deps.state, c, name, version);
    if (bodyKind(c, true) !== 'csv') throw new RequestError(415, 'a job takes a CSV body: send Content-Type: text/csv');
    const probabilities = queryProbabilities(c);
    // the results are streamed to the store, so no bound on rows × classes here
    checkProbabilities(model, probabilities, 0, Number.POSITIVE_INFINITY);
    const onErrorRaw = c.req.query('onError') ?? 'fail';
    const onError = (await import('../jobs/document.ts')).onErrorSchema.safeParse(onErrorRaw);
    if (!onError.success) throw badRequest(`query "onError" must be fail or skip, got "${clip(onErrorRaw)}"`, { field: 'onError' });
    const callback = c.req.query('callback');
    if (callback !== undefined) {
      if (!config!.callbackSecret) throw badRequest('this server has no callback secret, so it cannot sign callbacks: configure one (--callback-secret-file) or leave out callback=', { field: 'callback' });
      try {
        await checkCallbackUrl(callback, config!.allowCallbackHosts);
      } catch (err) {
        if (err instanceof CallbackUrlError) throw badRequest(err.message, { field: 'callback' });
        throw err;
      }
    }
    const id = newJobId();
    const upload = uploadStream(c, config!.maxUploadBytes);
    try {
      await s.objects.putOnce(jobKey(id, 'input.csv'), upload.stream);
    } catch (err) {
      // an upload refused (413) or cut short leaves no jobs/<id>/ behind
      await s.objects.deleteJob(id).catch(() => {});
      throw err;
    }
    await insertJob(s.pool, {
      id,
      owner,
      model: model.name,
      version: model.version,
      probabilities,
      onError: onError.data,
      callback: callback ?? null,
      inputBytes: upload.bytes(),
      expiresAt: new Date(Date.now() + config!.retentionSeconds * 1000),
    });
    await (await import('../jobs/queue.ts')).enqueue(s.boss, id, config!.lease);
    const links = jobLinks(id);
    return c.json({ id, status: 'queued', links }, 202, { Location: links.self });
  };

  app.post('/v1/models/:name/jobs', (c) => submit(c, c.req.param('name'), c.req.query('version')));
  app.post('/v1/models/:name/versions/:version/jobs', (c) => submit(c, c.req.param('name'), c.req.param('version')));

  app.get('/v1/jobs', async (c) => {
    c.env.info.route = 'job_list';
    const s = await service();
    const owner = requireKey(keys, c);
    const { parseListQuery, decodeCursor, encodeCursor } = await import('../jobs/list-query.ts');
    const q = parseListQuery(c.req.query());
    const rows = await listJobs(s.pool, { owner, model: q.model, status: q.status, limit: q.limit, after: q.cursor ? decodeCursor(q.cursor) : undefined });
    const page = rows.slice(0, q.limit);
    const next = rows.length > q.limit ? encodeCursor(page[page.length - 1]!) : null;
    return c.json({ jobs: page.map(jobDocument), next });
  });

  app.get('/v1/jobs/:id', async (c) => {
    c.env.info.route = 'job_status';
    return c.json(jobDocument(await ownJob(c, await service())));
  });

  app.get('/v1/jobs/:id/results', async (c) => {
    c.env.info.route = 'job_results';
    const s = await service();
    const row = await ownJob(c, s);
    if (row.status !== 'succeeded') {
      throw new RequestError(409, `job ${row.id} is ${row.status}: results exist once it has succeeded`, { job: row.id, status: row.status }, row.status === 'queued' || row.status === 'running' ? { 'Retry-After': '5' } : {});
    }
    const body = await s.objects.read(jobKey(row.id, 'results.csv'));
    if (!body) throw new RequestError(404, `the results of job ${row.id} are gone (expired)`, { job: row.id });
    return c.body(Readable.toWeb(body) as ReadableStream, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  app.delete('/v1/jobs/:id', async (c) => {
    c.env.info.route = 'job_cancel';
    const s = await service();
    const row = await ownJob(c, s);
    const cancelled = await cancelJob(s.pool, row.id);
    if (!cancelled) throw new RequestError(409, `job ${row.id} already ${row.status}: only a queued or running job can be cancelled`, { job: row.id, status: row.status });
    await (await import('../jobs/queue.ts')).dequeue(s.boss, row.id);
    return c.json(jobDocument(cancelled));
  });

  const close = async () => {
    const s = await opening?.catch(() => undefined);
    opening = undefined;
    await s?.close();
  };
  return { app, close };
}
