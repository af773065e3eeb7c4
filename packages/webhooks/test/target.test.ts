import { describe, expect, it } from 'vitest';
import {
  DENY_ALL_PRIVATE,
  parseAllowList,
  resolveTarget,
  TargetRefusedError,
  type Resolve,
} from '../src/index';

async function refusal(url: string, policy = DENY_ALL_PRIVATE, resolve?: Resolve) {
  try {
    await resolveTarget(url, policy, resolve);
    return undefined;
  } catch (err) {
    if (err instanceof TargetRefusedError) return err.reason;
    throw err;
  }
}

const fixed =
  (...addresses: string[]): Resolve =>
  () =>
    Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

describe('webhook targets', () => {
  it.each([
    ['http://127.0.0.1:6379/', 'loopback'],
    ['http://[::1]:9000/', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://10.0.0.8/hook', 'private'],
    ['http://172.16.3.4/hook', 'private'],
    ['http://192.168.1.1/hook', 'private'],
    ['http://100.100.100.200/latest/meta-data', 'carrier-grade NAT'],
    ['http://[fd00:ec2::254]/latest/meta-data/', 'unique local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://0.0.0.0:8080/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://224.0.0.1/', 'multicast'],
    // Numeric spellings of 127.0.0.1, and the IPv6 forms that carry it.
    ['http://0x7f000001:6379/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:a9fe:a9fe]/', 'link-local'],
    ['http://[64:ff9b::7f00:1]/', 'reserved'],
    ['http://[2002:7f00:1::]/', 'reserved'],
    ['http://[::7f00:1]/', 'reserved'],
  ])('refuses %s (%s)', async (url, kind) => {
    expect(await refusal(url)).toBe(`${kind} address`);
  });

  it('refuses a host name that resolves to loopback (the system resolver: localhost)', async () => {
    expect(await refusal('http://localhost:4000/hook')).toBe('loopback address');
    expect(
      await refusal('http://metadata.google.internal/', DENY_ALL_PRIVATE, fixed('169.254.169.254')),
    ).toBe('link-local address');
  });

  it('refuses a name when any one of its addresses is internal, not only the first', async () => {
    expect(
      await refusal('http://hooks.example/', DENY_ALL_PRIVATE, fixed('93.184.215.14', '10.0.0.1')),
    ).toBe('private address');
  });

  it('refuses other schemes and credentials in the URL', async () => {
    expect(await refusal('file:///etc/passwd')).toMatch(/http and https/);
    expect(await refusal('gopher://93.184.215.14/')).toMatch(/http and https/);
    expect(await refusal('http://user:pw@93.184.215.14/')).toMatch(/credentials/);
  });

  it('accepts public addresses, and the allow-listed hosts and ranges only', async () => {
    expect(await refusal('https://93.184.215.14/hook')).toBeUndefined();
    expect(await refusal('https://[2606:4700::6810:84e5]/hook')).toBeUndefined();
    const policy = parseAllowList('127.0.0.1, 10.1.0.0/16, hooks.internal, ::1');
    expect(await refusal('http://127.0.0.1:9/', policy)).toBeUndefined();
    expect(await refusal('http://[::ffff:127.0.0.1]:9/', policy)).toBeUndefined();
    expect(await refusal('http://[::1]:9/', policy)).toBeUndefined();
    expect(await refusal('http://10.1.200.3/', policy)).toBeUndefined();
    expect(await refusal('http://10.2.0.1/', policy)).toBe('private address');
    expect(await refusal('http://127.0.0.2/', policy)).toBe('loopback address');
    expect(await refusal('http://hooks.internal/', policy, fixed('10.9.9.9'))).toBeUndefined();
    expect(await refusal('http://169.254.169.254/', policy)).toBe('link-local address');
  });

  it('refuses an allow-list entry it cannot read, naming it', () => {
    expect(() => parseAllowList('10.0.0.0/99')).toThrow(/10.0.0.0\/99/);
    expect(() => parseAllowList('http://x')).toThrow(/http:\/\/x/);
  });
});
