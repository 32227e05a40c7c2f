// The model store (DESIGN.md, "Model store"): artifacts are written once under `<modelsPrefix>`
// and never overwritten, every read is verified against the lock's sha256. The bucket makes the
// history durable: versioned, retained when the stack is deleted, optionally WORM (Object Lock).
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BUCKET_BASELINE } from './bucket-baseline.ts';
import { Construct } from 'constructs';

export interface ModelBucketProps {
  readonly bucketName?: string;
  /** Key prefix the models live under, ending with '/'. */
  readonly modelsPrefix: string;
  readonly noncurrentVersionExpirationDays: number;
  readonly objectLock?: { readonly mode: 'GOVERNANCE' | 'COMPLIANCE'; readonly days: number };
  /** Where S3 server access logs go. */
  readonly accessLogsBucket: s3.IBucket;
  /** With batch jobs: days after which objects under `jobs/` expire (the servers' --job-retention). */
  readonly jobsRetentionDays?: number;
}

/** Where the servers keep batch jobs' inputs and results (serving/jobs/keys.ts). */
export const JOBS_PREFIX = 'jobs/';

export class ModelBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly modelsPrefix: string;

  constructor(scope: Construct, id: string, props: ModelBucketProps) {
    super(scope, id);
    this.modelsPrefix = props.modelsPrefix;
    const lock = props.objectLock;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      versioned: true,
      // The models a lock pins must survive `cdk destroy`: the bucket is orphaned, never emptied.
      ...BUCKET_BASELINE,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'model-bucket/',
      objectLockEnabled: lock !== undefined ? true : undefined,
      objectLockDefaultRetention:
        lock === undefined
          ? undefined
          : lock.mode === 'COMPLIANCE'
            ? s3.ObjectLockRetention.compliance(Duration.days(lock.days))
            : s3.ObjectLockRetention.governance(Duration.days(lock.days)),
      lifecycleRules: [
        {
          // Current versions are what locks pin and are never expired. Only versions that were
          // overwritten or deleted (which the pipeline never does on purpose) age out.
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
        ...(props.jobsRetentionDays === undefined
          ? []
          : [
              {
                // A job's input and results are scratch data, kept as long as the server keeps the job.
                // The bucket is versioned, so an expired or deleted job object becomes a noncurrent
                // version: that goes a day later, not after the models' 90 days.
                id: 'expire-job-objects',
                prefix: JOBS_PREFIX,
                expiration: Duration.days(props.jobsRetentionDays),
                noncurrentVersionExpiration: Duration.days(1),
              },
            ]),
      ],
    });
    // Write-once for everyone, not only for the roles this stack makes: the bucket itself refuses
    // any object write under the models prefix (PutObject, CopyObject, CompleteMultipartUpload)
    // that does not carry `If-None-Match: *`, so no principal (an administrator's script, a role
    // added later, a workflow given wider rights) can replace a pinned version. S3 answers 412 to
    // the header when the key exists; multipart steps that create no object are not affected.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyModelObjectOverwrite',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.modelObjectsArn],
        conditions: { Null: { 's3:if-none-match': 'true' }, Bool: { 's3:ObjectCreationOperation': 'true' } },
      }),
    );
  }

  /** ARN pattern of every object under the models prefix. */
  get modelObjectsArn(): string {
    return this.bucket.arnForObjects(`${this.modelsPrefix}*`);
  }

  /** cdk-nag's name for a wildcard over the objects under `prefix`: `AwsSolutions-IAM5[Resource::<ModelBucket1234.Arn>/jobs/*]`. */
  wildcardFinding(prefix: string): string {
    const id = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    return `AwsSolutions-IAM5[Resource::<${id}.Arn>/${prefix}*]`;
  }

  /** Read access to every object of the bucket, and listing (the deploy role). */
  readStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'ReadModelBucketObjects',
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
      this.listStatement(),
    ];
  }

  /** Read access to the objects under the models prefix only, and listing (the train and publish roles). */
  readModelStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'ReadModelObjects',
        actions: ['s3:GetObject'],
        resources: [this.modelObjectsArn],
      }),
      this.listStatement(),
    ];
  }

  /**
   * Adding new model objects, never replacing one: PutObject under the models prefix only when the
   * request carries `If-None-Match: *` (a single PutObject, or the CompleteMultipartUpload of a large
   * artifact; S3 answers 412 if the key exists), plus the steps of a multipart upload that create no
   * object (CreateMultipartUpload, UploadPart: `s3:ObjectCreationOperation` is false for them, and
   * they cannot take the header). The condition keys are S3's own for enforcing conditional writes
   * (User Guide, "Enforce conditional writes on Amazon S3 buckets"). No delete, no ACL or tagging.
   */
  addNewModelsStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'PutNewModelObjects',
        actions: ['s3:PutObject'],
        resources: [this.modelObjectsArn],
        conditions: { StringEquals: { 's3:if-none-match': '*' } },
      }),
      new iam.PolicyStatement({
        sid: 'UploadModelObjectParts',
        actions: ['s3:PutObject'],
        resources: [this.modelObjectsArn],
        conditions: { Bool: { 's3:ObjectCreationOperation': 'false' } },
      }),
    ];
  }

  /**
   * Batch jobs' objects (the serving and job-worker tasks): read, write and delete under `jobs/`
   * only, plus listing, without which S3 answers a HEAD of a missing key with 403 instead of 404
   * (the job objects' "is it there yet"). Writes carry `If-None-Match: *` (serving/jobs/objects.ts).
   */
  jobObjectsStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'ReadWriteJobObjects',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects(`${JOBS_PREFIX}*`)],
      }),
      this.listStatement(),
    ];
  }

  // Listing stays bucket-wide, not narrowed by `s3:prefix`: S3 answers 404 for a missing key only to
  // a caller with s3:ListBucket, and a GET or HEAD carries no `s3:prefix` (a ListObjects key) to meet
  // such a condition, so the store's "is this version there yet" (HEAD before a multipart upload)
  // would risk a 403. Listing shows key names only, and the bucket holds only the models.
  private listStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'ListModelBucket',
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
    });
  }
}
