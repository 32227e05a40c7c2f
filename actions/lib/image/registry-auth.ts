/**
 * Which credentials a registry host gets: Amazon ECR's own (`GetAuthorizationToken`, for a host
 * `<account>.dkr.ecr.<region>.amazonaws.com`), else the user and password given for that very host
 * (never sent to another one, such as the base image's registry), else none.
 * The caller supplies the ECR client and the secrets (the command line and the action read them).
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { anonymous, basicAuth, ecrAuth } from '../oci/auth.ts';
import type { AuthProvider, Credentials } from '../oci/auth.ts';

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The account and region of an ECR registry host, or undefined for any other host. */
export function ecrRegistry(host: string): { account: string; region: string } | undefined {
  const m = ECR_HOST.exec(host);
  return m ? { account: m[1]!, region: m[2]! } : undefined;
}

export interface RegistryAuthOptions {
  /** Users and passwords, each for one registry host. */
  credentials?: readonly (Credentials & { registry: string })[];
  ecrClient: (region: string) => ECRClient;
  /** Called with each password before it is used (the action masks it in the log). */
  onSecret?: (secret: string) => void;
}

export function registryAuth(host: string, options: RegistryAuthOptions): AuthProvider {
  const ecr = ecrRegistry(host);
  if (ecr) {
    const provider = ecrAuth(options.ecrClient(ecr.region));
    return async (registry) => {
      const credentials = await provider(registry);
      if (credentials) options.onSecret?.(credentials.password);
      return credentials;
    };
  }
  const own = options.credentials?.find((c) => c.registry === host);
  if (own) {
    options.onSecret?.(own.password);
    return basicAuth(own.username, own.password);
  }
  return anonymous;
}
