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
// ::/96 (IPv4-compatible, deprecated) and NAT64's 64:ff9b::/96 whole: either can reach an
// internal IPv4 host. IPv4-mapped (::ffff:0:0/96) and 6to4 (2002::/16) addresses are judged by
// the IPv4 address they carry (below), whichever way the IPv6 text is written.
for (const [net, bits] of [['::', 96], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) blocked.addSubnet(net, bits, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail counted as two). */
function groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (t: string | undefined) => (t ? t.split(':').map((g) => parseInt(g, 16)) : []);
  const h = part(head);
  const t = part(tail);
  return tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

const v4 = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** The IPv4 address an IPv4-mapped or 6to4 address stands for, if it is one. */
function embeddedV4(address: string): string | undefined {
  const g = groups(address);
  if (g.length !== 8) return undefined;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return undefined;
}

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const inner = embeddedV4(address);
    if (inner) return blocked.check(inner, 'ipv4');
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
