/**
 * The ECS client a deploy uses. Credentials are the SDK's standard chain unless a provider is
 * given (the refreshing web identity one); `endpoint` points it at an ECS-compatible server (the
 * tests' fake). The caller reads these from its inputs or environment.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import type { ECSClientConfig } from '@aws-sdk/client-ecs';

export interface EcsClientOptions {
  /** undefined: the SDK's own lookup (AWS_REGION, the profile). */
  region: string | undefined;
  endpoint?: string;
  credentials?: ECSClientConfig['credentials'];
}

export function ecsClient(options: EcsClientOptions): ECSClient {
  return new ECSClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
}
