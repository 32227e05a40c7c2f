// One bucket for the stack's audit logs: S3 server access logs of the model bucket, the load
// balancer's access logs and the VPC flow logs. ALB access logs and S3 server access logs can only
// be delivered to a bucket encrypted with SSE-S3 (not SSE-KMS), hence S3_MANAGED here. It has no
// access logs of its own (that would log into itself); cdk-nag's S1 rule already exempts a bucket
// that is the destination of another bucket's server access logs.
import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BUCKET_BASELINE } from './bucket-baseline.ts';
import { Construct } from 'constructs';

export interface AccessLogBucketProps {
  /** Days after which log objects are deleted. */
  readonly expirationDays: number;
}

export class AccessLogBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      // Retained like every mlship bucket: audit logs outlive the stack.
      ...BUCKET_BASELINE,
      lifecycleRules: [
        {
          id: 'expire-logs',
          expiration: Duration.days(props.expirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }
}
