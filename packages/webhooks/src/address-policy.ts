import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Which webhook targets may be reached. By default only public unicast addresses: a webhook is
 * an admin-supplied URL the platform POSTs to from inside the network, so without this it is a
 * port scanner and a path to cloud metadata, Redis, MinIO and the apps themselves.
 * `allow` opens named hosts or CIDR ranges (MLOPS_WEBHOOK_ALLOW_HOSTS), for a receiver that
 * legitimately runs on loopback or the private network.
 */
export interface AddressPolicy {
  /** Lower-case host names without a trailing dot, matched exactly against the URL's host. */
  hosts: ReadonlySet<string>;
  cidrs: ReadonlyArray<[Address, number]>;
}

export const DENY_ALL_PRIVATE: AddressPolicy = { hosts: new Set(), cidrs: [] };

/**
 * `MLOPS_WEBHOOK_ALLOW_HOSTS`: comma-separated host names, addresses or CIDR ranges
 * (`hooks.internal, 127.0.0.1, 10.1.0.0/16, ::1`). Throws naming the entry it cannot read.
 */
export function parseAllowList(raw: string | undefined): AddressPolicy {
  const hosts = new Set<string>();
  const cidrs: Array<[Address, number]> = [];
  for (const entry of (raw ?? '').split(',').map((s) => s.trim().toLowerCase())) {
    if (!entry) continue;
    const bare = entry.replace(/^\[(.*)\]$/, '$1');
    if (bare.includes('/')) {
      try {
        cidrs.push(ipaddr.parseCIDR(bare));
      } catch {
        throw new Error(`"${entry}" is not a valid CIDR range (like 10.0.0.0/8 or fd00::/8)`);
      }
    } else if (ipaddr.isValid(bare)) {
      const ip = canonical(ipaddr.parse(bare));
      cidrs.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(bare)) {
      hosts.add(bare.replace(/\.$/, ''));
    } else {
      throw new Error(`"${entry}" is neither a host name, an IP address nor a CIDR range`);
    }
  }
  return { hosts, cidrs };
}

/** IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is the IPv4 address it carries: judged as one. */
function canonical(ip: Address): Address {
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress())
    return (ip as ipaddr.IPv6).toIPv4Address();
  return ip;
}

export function hostIsAllowListed(policy: AddressPolicy, host: string): boolean {
  return policy.hosts.has(host.toLowerCase().replace(/\.$/, ''));
}

function inAllowedRange(policy: AddressPolicy, ip: Address): boolean {
  return policy.cidrs.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
}

const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade NAT',
  uniqueLocal: 'unique local',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

/**
 * Why an address may not be a webhook target, or undefined when it may. Public means ipaddr's
 * `unicast` range and, for IPv6, inside 2000::/3 (global unicast): this rules out loopback,
 * RFC 1918, CGNAT (100.64/10, Alibaba's metadata), link-local (169.254/16: AWS, GCP and Azure
 * metadata), ULA (fd00:ec2::254: AWS IPv6 metadata), multicast, the unspecified address,
 * reserved and documentation ranges, and the IPv6 forms that embed an IPv4 address a gateway
 * would translate (NAT64, 6to4, Teredo, IPv4-compatible).
 */
export function refusalOf(policy: AddressPolicy, address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const ip = canonical(ipaddr.parse(address));
  if (inAllowedRange(policy, ip)) return undefined;
  const range = ip.range();
  if (range === 'unicast' && (ip.kind() === 'ipv4' || ip.match(GLOBAL_UNICAST_V6)))
    return undefined;
  return `${RANGE_NAMES[range] ?? 'reserved'} address`;
}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
