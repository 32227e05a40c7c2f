/**
 * Errors of the ECS deploy library. A DeployError is a problem with what was asked (an image
 * that is not pinned by digest, a container or service that does not exist); an EcsCallError is
 * an ECS call that failed for another reason than throttling, with the operation and the AWS
 * error name kept as fields. A deployment that fails is not an error: it is a result (deploy.ts).
 */
import { MlshipError } from '../../../training/errors.ts';

export class DeployError extends MlshipError {}

export class EcsCallError extends MlshipError {
  readonly operation: string;
  /** The AWS error name (`ClientException`, `ExpiredTokenException`, …). */
  readonly code: string;
  constructor(operation: string, code: string, message: string, options?: ErrorOptions) {
    super(`ECS ${operation} failed: ${code}: ${message}`, {}, options);
    this.operation = operation;
    this.code = code;
  }
}
