// One bucket for the stack's audit logs: S3 server access logs of the model bucket, the load
// balancer's access logs and the VPC flow logs. ALB access logs and S3 server access logs can only
// be delivered to a bucket encrypted with SSE-S3 (not SSE-KMS), hence S3_MANAGED here. It has no
// access logs of its own (that would log into itself); cdk-nag's S1 rule already exempts a bucket
// that is the destination of another bucket's server access logs.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
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
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Audit logs outlive the stack: deleting the stack must not delete the evidence.
      removalPolicy: RemovalPolicy.RETAIN,
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
