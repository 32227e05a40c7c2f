// The model store (DESIGN.md, "Model store"): artifacts are written once under `<modelsPrefix>`
// and never overwritten, every read is verified against the lock's sha256. The bucket makes the
// history durable: versioned, retained when the stack is deleted, optionally WORM (Object Lock).
import { Duration } from 'aws-cdk-lib';
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
}

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
      ],
    });
  }

  /** ARN pattern of every object under the models prefix. */
  get modelObjectsArn(): string {
    return this.bucket.arnForObjects(`${this.modelsPrefix}*`);
  }

  /** Read access to every object of the bucket (models and data), and listing. */
  readStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        sid: 'ReadModelBucketObjects',
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'ListModelBucket',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    ];
  }

  /**
   * Writing new model objects: PutObject under the models prefix only. No delete, no version
   * delete, no ACL or tagging changes. Overwrites are refused by the writer (`If-None-Match: *`) and,
   * with Object Lock on, by S3 itself; an overwrite would in any case only add a version.
   */
  writeNewModelsStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'PutNewModelObjects',
      actions: ['s3:PutObject'],
      resources: [this.modelObjectsArn],
    });
  }
}
