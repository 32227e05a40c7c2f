/**
 * Registry clients for a command: plain HTTP with `--insecure` (a local registry), ECR's token for
 * an ECR host (the standard AWS credential chain and region), else `MLSHIP_REGISTRY_USERNAME` and
 * `MLSHIP_REGISTRY_PASSWORD` for the target's host only, `MLSHIP_BASE_REGISTRY_USERNAME` and
 * `MLSHIP_BASE_REGISTRY_PASSWORD` for the base's host only, else anonymous.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { RegistryClient } from '../actions/lib/oci/registry.ts';
import { registryAuth } from '../actions/lib/image/registry-auth.ts';
import type { CommandIO } from './io.ts';

function credentialsFor(registry: string | undefined, username: string | undefined, password: string | undefined) {
  return registry && username && password ? [{ registry, username, password }] : [];
}

export function registryClients(io: CommandIO, options: { insecure: boolean; target?: string; base?: string }): (registry: string) => RegistryClient {
  const credentials = [
    ...credentialsFor(options.target, io.env.MLSHIP_REGISTRY_USERNAME, io.env.MLSHIP_REGISTRY_PASSWORD),
    ...credentialsFor(options.base, io.env.MLSHIP_BASE_REGISTRY_USERNAME, io.env.MLSHIP_BASE_REGISTRY_PASSWORD),
  ];
  const clients = new Map<string, RegistryClient>();
  return (registry) => {
    let client = clients.get(registry);
    if (!client) {
      const auth = registryAuth(registry, { credentials, ecrClient: (region) => new ECRClient({ region }) });
      client = new RegistryClient({ registry, fetch, auth, scheme: options.insecure ? 'http' : 'https' });
      clients.set(registry, client);
    }
    return client;
  };
}
