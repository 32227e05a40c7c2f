// The serving image repository. The pipeline pushes one image per deploy (DESIGN.md, "Serving
// image") and the task definition pins it by digest.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';

export interface ImageRepositoryProps {
  readonly repositoryName: string;
  /** Number of most recently pushed images the lifecycle policy keeps. */
  readonly keepImages: number;
}

export class ImageRepository extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      // A tag, once pushed, always names the same digest.
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.AES_256,
      // Images that served production are kept when the stack is deleted.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          // Why count and never age: the image a deploy pins is the one the service runs, and a
          // `git revert` of models.lock.json rolls back to an older lock. An age-based rule (or an
          // "expire untagged" rule: images are pinned by digest, tags are incidental) could delete
          // the running image while the lock still pins it, and ECS could then no longer start a
          // task (scale-out, replacement of a failed task). Keeping the N most recently pushed
          // images, whatever their tags, expires the running image only after N newer images were
          // pushed (each deploy run pushes at most one, so: N deploys in a row that all failed and
          // rolled back), and keeps the last deploys' images for an instant rollback. Anything older
          // can be rebuilt: the image build is reproducible, so a revert to an expired lock rebuilds
          // and re-pushes the same digest. Raise `ecr.keepImages` for a longer rollback window.
          rulePriority: 1,
          description: `Keep the ${props.keepImages} most recently pushed images (never expire by age)`,
          tagStatus: ecr.TagStatus.ANY,
          maxImageCount: props.keepImages,
        },
      ],
    });
  }
}
