/**
 * Deploy on merge, end to end: the pull-request flow's repository on the GitHub fake (the
 * scaffold of `mlship init`, a champion iris pinned on main, the store on Ceph RGW), its pull
 * request's lock commit merged to main, and deploy.yml's job for each push to main (verify-lock →
 * build-image into the local docker-registry → deploy on the ECS fake), with the deployment record
 * GitHub keeps for the job's `environment: production`. Then a second merge whose rollout trips
 * the circuit breaker, and `git revert`s that bring the earlier images back without a build.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePublished } from '../../../actions/lib/pr/published.ts';
import { REPORT_MARKER } from '../../../actions/lib/pr/report-markdown.ts';
import { parseLock } from '../../../registry/lock.ts';
import { openStore } from '../../../registry/store/index.ts';
import { staticKeys } from '../../fakes/ecs/api.ts';
import { CLUSTER, CONTAINER, SERVICE, startWorld } from '../../fakes/ecs/world.ts';
import type { World } from '../../fakes/ecs/world.ts';
import { repositoryWith, useGitHubFake } from '../../fakes/github/scenario.ts';
import type { FakeRepository } from '../../fakes/github/state.ts';
import { pushCommit } from '../../fakes/github/test-git.ts';
import { pushNodeBase } from '../../fixtures/node-base.ts';
import { folderBytes, requireRegistryTools, useRegistry } from '../../fixtures/registry.ts';
import { requireCeph, useRgw } from '../../fixtures/s3.ts';
import { requireTool } from '../../helpers/tools.ts';
import { tempDir } from '../../helpers/temp.ts';
import { postJson } from '../../serving/helpers.ts';
import { REGION } from '../deploy/helpers.ts';
import { changedIrisCsv, scaffoldedRepository } from '../pr/models.ts';
import { publishChampions, pullRequestJob } from '../pr/scenario.ts';
import type { DeployJobRun, DeployJobSetup } from './deploy-job.ts';
import { deployJob } from './deploy-job.ts';
import { mainTip, mergeIntoMain, onMain, revertOnMain } from './git-main.ts';
import { canChroot, runImage } from './serve-image.ts';

/** The data with the first flower's sepal width measured again: a new version that predicts as before. */
const remeasured = (data: string) => data.replace(/^(sepal_length[^\n]*\n[^,]*),([^,]*),/, (_, head: string, width: string) => `${head},${(Number(width) - 0.1).toFixed(1)},`);

/** MLSHIP_LOOP_EXAMPLES=dir keeps what the steps printed, for docs/delivery-loop.md. */
function keep(name: string, text: string): void {
  const dir = process.env.MLSHIP_LOOP_EXAMPLES;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), text);
}

function keepRun(name: string, run: DeployJobRun): void {
  keep(`${name}.verify.log`, run.verify.log);
  keep(`${name}.verify.md`, run.verify.summary);
  keep(`${name}.image.json`, JSON.stringify(run.image?.outputs ?? {}, null, 2));
  keep(`${name}.deploy.log`, run.deploy?.log ?? '');
  keep(`${name}.deploy.md`, run.deploy?.summary ?? '');
  keep(`${name}.record.json`, JSON.stringify({ deployment: run.deployment, statuses: run.statuses.map((s) => s.state) }, null, 2));
}

describe('deploy on merge: the lock commit merged to main is verified, built, rolled out, and rolled back by git revert', () => {
  if (!requireCeph() || !requireRegistryTools() || !requireTool(canChroot(), 'root and chroot (to run the image without a container runtime)', 'run the tests as root')) return;
  const rgw = useRgw();
  const github = useGitHubFake();
  const registry = useRegistry();
  const scaffold = scaffoldedRepository();
  const csv = scaffold['models/iris/iris.csv']!;
  const work = tempDir('mlship-loop-');
  let world: World;
  let repository: FakeRepository;
  let setup: DeployJobSetup;
  let storeUri: string;
  let pullEnv: Record<string, string>;
  let runs = 0;

  const job = (sha: string) => deployJob(setup, sha, 7000 + ++runs);
  const lockOnMain = () => parseLock(onMain(repository.git.gitDir, 'models.lock.json'), 'models.lock.json');
  /** What the service runs: its task definition, and that definition's serving image. */
  const running = async () => {
    const { services } = await world.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
    const arn = services![0]!.taskDefinition!;
    const { taskDefinition } = await world.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    return { arn, image: taskDefinition!.containerDefinitions!.find((c) => c.name === CONTAINER)!.image! };
  };
  /** A pull request changing iris's data, through train → publish → report; gives its lock commit and version. */
  const pullRequest = async (branch: string, data: string, message: string) => {
    const fake = github.get();
    pushCommit(repository.git.gitDir, branch, { 'models/iris/iris.csv': data }, { from: 'main', message });
    const pull = await fake.addPullRequest({ repository: 'acme/models', head: { ref: branch } });
    const pr = pullRequestJob({ fake, repository, headRepository: repository, pull }, { store: storeUri, env: pullEnv });
    const trained = await pr.train();
    expect(trained.failed, trained.log).toBe(false);
    const published = await pr.publish(trained.outputs.results!);
    expect(published.failed).toBe(false);
    const [pinned] = parsePublished(published.outputs.published!);
    const reported = await pr.report({ results: trained.outputs.results!, published: published.outputs.published!, 'lock-commit': published.outputs.commit! });
    expect(reported.failed).toBe(false);
    const comment = fake.comments.find((c) => c.issueNumber === pull.number && c.body.includes(REPORT_MARKER))!;
    return { pull, version: pinned!.version, lockCommit: published.outputs.commit!, comment: comment.body };
  };
  const expectOneRecord = (run: DeployJobRun, conclusion: 'success' | 'failure') => {
    expect(github.get().deployments.filter((d) => d.sha === run.sha)).toHaveLength(1);
    expect(run.deployment).toMatchObject({ sha: run.sha, environment: 'production', productionEnvironment: true, creator: { login: 'github-actions[bot]' } });
    expect(run.statuses.map((s) => s.state)).toEqual(['in_progress', conclusion]);
    expect(run.conclusion).toBe(conclusion);
    // the job's steps made no GitHub API call: the record is the environment's alone
    expect(run.stepRequests).toBe(0);
  };

  let before: DeployJobRun; // main before the pull request: the image production ran
  let merged: DeployJobRun;
  let failed: DeployJobRun;
  let first: { version: string; lockCommit: string; merge: string };
  let second: { version: string; merge: string };
  let champion: string;

  beforeAll(async () => {
    const bucket = await rgw.bucket();
    storeUri = `s3://${bucket}/team`;
    const e = rgw.endpoint;
    pullEnv = { MLSHIP_S3_ENDPOINT: e.endpoint, AWS_REGION: e.region, AWS_ACCESS_KEY_ID: e.accessKeyId, AWS_SECRET_ACCESS_KEY: e.secretAccessKey };
    const store = openStore(storeUri, { s3Client: rgw.client() });
    const iris = { 'models/iris/model.yaml': scaffold['models/iris/model.yaml']!, 'models/iris/iris.csv': csv };
    const lock = await publishChampions(store, iris, ['iris']);
    champion = parseLock(lock, 'lock').models.iris!.version;
    ({ repository } = await repositoryWith(github.get(), 'models', { ...scaffold, 'models.lock.json': lock }));
    await pushNodeBase(registry.get(), 'base/node', '24');
    // One set of keys (what configure-aws-credentials leaves) reaches both the store and ECS.
    world = await startWorld({ keys: staticKeys({ AKIDTEST: 'secret', [e.accessKeyId]: e.secretAccessKey }) });
    setup = {
      fake: github.get(),
      repository,
      store: storeUri,
      ecrRepository: `${registry.get().host}/mlship-serving`,
      serviceUrl: 'https://serving.acme.example',
      baseImage: `${registry.get().host}/base/node:24`,
      env: { AWS_ACCESS_KEY_ID: e.accessKeyId, AWS_SECRET_ACCESS_KEY: e.secretAccessKey, AWS_REGION: REGION, MLSHIP_S3_ENDPOINT: e.endpoint, MLSHIP_ECS_ENDPOINT: world.fake.url },
    };
    before = await job(mainTip(repository.git.gitDir));
    keepRun('0-before', before);
    expect(before.conclusion, before.image?.log ?? before.verify.log).toBe('success');
  }, 300_000);
  afterAll(async () => {
    await world?.fake.close();
  });

  it('merged, the lock commit is verified, built, pushed and rolled out: the task definition pins the pushed digest; one record, success', async () => {
    const pr = await pullRequest('better-iris', changedIrisCsv(csv, 8), 'Relabel eight flowers');
    keep('1-comment.md', pr.comment);
    expect(pr.version).not.toBe(champion);
    const merge = mergeIntoMain(repository.git.gitDir, 'better-iris', `Merge pull request #${pr.pull.number} from acme/better-iris`);
    first = { version: pr.version, lockCommit: pr.lockCommit, merge };
    expect(lockOnMain().models.iris!.version).toBe(pr.version);

    merged = await job(merge);
    keepRun('1-merged', merged);
    expectOneRecord(merged, 'success');
    expect(merged.verify.outputs).toMatchObject({ verified: 'true', models: JSON.stringify([{ name: 'iris', version: pr.version, ok: true }]) });
    const image = merged.image!.outputs;
    expect(image.status).toBe('built');
    expect(image.digest).not.toBe(before.image!.outputs.digest);
    expect(image.image).toBe(`${registry.get().host}/mlship-serving@${image.digest}`);
    expect(Number(image['bytes-uploaded'])).toBeGreaterThan(0);
    // the new model's layer is the upload; the base and the app are reused from the image before
    expect(Number(image['layers-reused'])).toBeGreaterThan(0);

    const deploy = merged.deploy!;
    expect(deploy.outputs).toMatchObject({ status: 'succeeded', smoke: 'not-run' });
    expect(deploy.outputs['task-definition-arn']).not.toBe(before.deploy!.outputs['task-definition-arn']);
    expect(await running()).toEqual({ arn: deploy.outputs['task-definition-arn'], image: image.image });
    expect(image.image).toMatch(/^127\.0\.0\.1:\d+\/mlship-serving@sha256:[0-9a-f]{64}$/);
    // the job summary names the digest and the versions the lock pins
    const entry = lockOnMain().models.iris!;
    expect(deploy.summary).toContain('## mlship deploy: ✅ rolled out');
    expect(deploy.summary).toContain(`| digest | \`${image.digest}\` |`);
    expect(deploy.summary).toContain(`| \`iris\` | \`${pr.version}\` | \`${entry.sha256}\` |`);
    expect(deploy.summary).toContain("The GitHub deployment record is the one this job's `environment:` creates");
    expect(deploy.log).not.toContain('::error');
  });

  it('the image the task definition pins, unpacked and run, serves the newly pinned version and predicts', async () => {
    const digest = merged.image!.outputs.digest!;
    const served = await runImage(registry.get(), `mlship-serving@${digest}`, path.join(work, 'merged'));
    try {
      const listed = (await (await fetch(`${served.url}/v1/models`)).json()) as { models: { name: string; version: string; ready: boolean }[] };
      expect(listed.models.map((m) => [m.name, m.version, m.ready])).toEqual([['iris', first.version, true]]);
      keep('1-models.json', JSON.stringify(listed, null, 2));
      const res = await fetch(`${served.url}/v1/models/iris:predict`, postJson({ instances: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] }));
      expect(res.status).toBe(200);
      const prediction = await res.json();
      expect(prediction).toEqual({ predictions: ['setosa'] });
      keep('1-predict.json', JSON.stringify(prediction));
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('a second merge whose rollout trips the circuit breaker ends the record in failure, the stopped task’s reason in the log and the summary', async () => {
    const pr = await pullRequest('more-iris', remeasured(changedIrisCsv(csv, 8)), 'Remeasure the first flower');
    expect(pr.version).not.toBe(first.version);
    const merge = mergeIntoMain(repository.git.gitDir, 'more-iris', `Merge pull request #${pr.pull.number} from acme/more-iris`);
    second = { version: pr.version, merge };
    world.fake.planRollouts(CLUSTER, SERVICE, { outcome: 'circuit-breaker', polls: 2, failedTasks: 1, stop: { reason: 'Essential container in task exited', exitCode: 1 } });

    failed = await job(merge);
    keepRun('2-failed', failed);
    expectOneRecord(failed, 'failure');
    expect(failed.image!.outputs.status).toBe('built');
    const deploy = failed.deploy!;
    expect(deploy.failed).toBe(true);
    expect(deploy.outputs.status).toBe('failed');
    expect(deploy.log).toMatch(/::error title=mlship deploy failed::task: Essential container in task exited \(serving: exit code 1\) \(arn:aws:ecs:/);
    expect(deploy.log).toContain(`::error::the deployment of ${failed.image!.outputs.image} failed: ECS deployment circuit breaker: tasks failed to start.`);
    expect(deploy.summary).toContain('## mlship deploy: ❌ failed');
    expect(deploy.summary).toMatch(/- \*\*task\*\*: Essential container in task exited \\\(serving\\: exit code 1\\\)/);
    expect(deploy.summary).toContain(`| digest | \`${failed.image!.outputs.digest}\` |`);
    expect(deploy.summary).toContain(`| \`iris\` | \`${second.version}\` |`);
    // ECS rolled the service back: it runs the merged image again, while main pins the failed one
    expect((await running()).image).toBe(merged.image!.outputs.image);
    expect(lockOnMain().models.iris!.version).toBe(second.version);
  });

  it('git revert of the failed merge: main pins what runs again; its image is found, nothing is uploaded, nothing rolled out', async () => {
    const blobs = await folderBytes(registry.get().blobsDir);
    const revert = revertOnMain(repository.git.gitDir, second.merge);
    expect(lockOnMain().models.iris!.version).toBe(first.version);
    expect(onMain(repository.git.gitDir, 'models/iris/iris.csv')).toBe(changedIrisCsv(csv, 8).trimEnd());

    const run = await job(revert);
    keepRun('3-revert-failed', run);
    expectOneRecord(run, 'success');
    expect(run.image!.outputs).toMatchObject({ status: 'found', digest: merged.image!.outputs.digest, image: merged.image!.outputs.image, 'bytes-uploaded': '0' });
    expect(await folderBytes(registry.get().blobsDir)).toBe(blobs);
    expect(run.deploy!.outputs.status).toBe('skipped');
    expect(run.deploy!.summary).toContain('## mlship deploy: ⏭️ unchanged: the service already runs this image');
    expect((await running()).image).toBe(merged.image!.outputs.image);
  });

  it('git revert of the first merge (its data and lock commit together): the old digest is redeployed without a build or an upload', async () => {
    const blobs = await folderBytes(registry.get().blobsDir);
    const registered = world.fake.callsOf('RegisterTaskDefinition').length;
    const revert = revertOnMain(repository.git.gitDir, first.merge);
    expect(lockOnMain().models.iris!.version).toBe(champion);
    expect(onMain(repository.git.gitDir, 'models/iris/iris.csv')).toBe(csv.trimEnd());

    const run = await job(revert);
    keepRun('4-revert', run);
    expectOneRecord(run, 'success');
    const old = before.image!.outputs;
    expect(run.image!.outputs).toMatchObject({ status: 'found', digest: old.digest, image: old.image, 'inputs-tag': old['inputs-tag'], 'bytes-uploaded': '0' });
    expect(await folderBytes(registry.get().blobsDir)).toBe(blobs);
    // rolled out for real: a new revision, pinning the old digest again
    expect(run.deploy!.outputs.status).toBe('succeeded');
    expect(world.fake.callsOf('RegisterTaskDefinition')).toHaveLength(registered + 1);
    expect(await running()).toEqual({ arn: run.deploy!.outputs['task-definition-arn'], image: old.image });
    expect(run.deploy!.summary).toContain(`| digest | \`${old.digest}\` |`);
    expect(run.deploy!.summary).toContain(`| \`iris\` | \`${champion}\` |`);
    // one record per push to main, none made by a step
    expect(github.get().deployments.map((d) => d.sha)).toEqual([before.sha, merged.sha, failed.sha, expect.any(String), run.sha]);
  });
});
