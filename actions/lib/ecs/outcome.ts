/** What a deploy returns: data for the action's summary and deployment status, never an exception. */

export type ReasonKind = 'rollout' | 'rollback' | 'circuit-breaker' | 'service-deployment' | 'replaced' | 'missing' | 'task' | 'timeout' | 'unchanged';

/** One sentence about why a deploy ended as it did, and where it comes from. */
export interface Reason {
  kind: ReasonKind;
  message: string;
  /** For `task`: the stopped task it is about. */
  taskArn?: string;
}

export interface DeployResult {
  /** `skipped`: the service already runs this image; nothing was registered or rolled out. */
  status: 'succeeded' | 'failed' | 'timed-out' | 'skipped';
  /** What the service's primary deployment ran when the deploy started: the revision and the container's image. */
  previous: { taskDefinitionArn: string; image: string | undefined };
  /** The revision registered (or, when skipped, the one running). */
  taskDefinitionArn: string;
  /** The ECS deployment followed (`ecs-svc/…`). */
  deploymentId: string | undefined;
  /** Its service deployment record, when ECS has one. */
  serviceDeploymentArn: string | undefined;
  image: string;
  reasons: Reason[];
  /** The service deployment's last status (`SUCCESSFUL`, `ROLLBACK_SUCCESSFUL`, …). */
  serviceDeploymentStatus?: string;
  /** Tasks of this deployment that failed, as ECS counts them. */
  failedTasks?: number;
  rollback?: { reason?: string; serviceRevisionArn?: string };
  circuitBreaker?: { status?: string; failureCount?: number; threshold?: number };
}
