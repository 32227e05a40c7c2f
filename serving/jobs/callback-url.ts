/**
 * Callback URLs, checked against server-side request forgery: `https` only, and the host must
 * not resolve to a private, loopback, link-local (cloud metadata), unique-local, multicast or
 * unspecified address, unless it is listed in `--allow-callback-host` (how tests reach
 * 127.0.0.1). The check runs when the job is submitted and again, with a fresh resolution, right
 * before each delivery, and the delivery connects to the address that was checked, so a DNS
 * answer that changes in between (rebinding) cannot point it inside.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { MlshipError } from '../../training/errors.ts';

export class CallbackUrlError extends MlshipError {}

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) blocked.addSubnet(net, bits, 'ipv6');

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return blocked.check(address, 'ipv4');
}

export interface CheckedUrl {
  url: URL;
  /** The address to connect to (checked), and its family. */
  address: string;
  family: 4 | 6;
}

export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;
const systemResolve: Resolve = (host) => lookup(host, { all: true });

/** Parses and checks a callback URL; throws CallbackUrlError saying why it is refused. */
export async function checkCallbackUrl(raw: string, allowHosts: readonly string[], resolve: Resolve = systemResolve): Promise<CheckedUrl> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackUrlError('callback is not a URL', { field: 'callback' });
  }
  if (url.protocol !== 'https:') throw new CallbackUrlError('callback must be an https:// URL', { field: 'callback' });
  if (url.username || url.password) throw new CallbackUrlError('callback may not carry credentials', { field: 'callback' });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const allowed = allowHosts.includes(host.toLowerCase());
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new CallbackUrlError(`callback host "${host}" does not resolve`, { field: 'callback' });
    }
  }
  if (addresses.length === 0) throw new CallbackUrlError(`callback host "${host}" does not resolve`, { field: 'callback' });
  if (!allowed) {
    const bad = addresses.find((a) => isBlockedAddress(a.address));
    if (bad) throw new CallbackUrlError(`callback host "${host}" resolves to ${bad.address}, a private, loopback or link-local address (allow it with --allow-callback-host)`, { field: 'callback' });
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
