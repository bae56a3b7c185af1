import { describe, expect, it } from 'vitest';
import {
  formatIp,
  type IpAddress,
  ipInRange,
  ipVelocitySubject,
  maskIp,
  parseIp,
  parseIpRange,
} from '../../../lib/risk/ip.ts';

function ip(text: string): IpAddress {
  const parsed = parseIp(text);
  if (!parsed) throw new Error(`test address ${text} does not parse`);
  return parsed;
}

function range(text: string) {
  const parsed = parseIpRange(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

describe('parseIp', () => {
  it('reads IPv4 and IPv6, compressed or not', () => {
    expect(formatIp(ip('203.0.113.7'))).toBe('203.0.113.7');
    expect(formatIp(ip('2001:db8::1'))).toBe('2001:db8:0:0:0:0:0:1');
    expect(ip('2001:0db8:0000:0000:0000:0000:0000:0001')).toEqual(ip('2001:db8::1'));
    expect(ip('::')).toEqual({ version: 6, value: 0n });
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(ip('::ffff:203.0.113.7')).toEqual(ip('203.0.113.7'));
  });

  it.each([
    '256.1.1.1',
    '1.2.3',
    '01.2.3.4',
    '1.2.3.4.5',
    '2001:db8:::1',
    '2001:db8::1::2',
    'fe80::1%eth0',
    'g::1',
    '',
  ])('refuses %j', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe('parseIpRange', () => {
  it('reads a single address as a full-length prefix', () => {
    expect(range('198.51.100.7').prefix).toBe(32);
    expect(range('2001:db8::7').prefix).toBe(128);
  });

  it('refuses a range with host bits set and says what was probably meant', () => {
    expect(parseIpRange('10.1.2.3/8')).toEqual({
      error: '10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?',
    });
  });

  it('refuses prefixes longer than the address', () => {
    expect(parseIpRange('10.0.0.0/33')).toHaveProperty('error');
    expect(parseIpRange('2001:db8::/129')).toHaveProperty('error');
  });
});

describe('ipInRange', () => {
  it('includes both ends of an IPv4 range and nothing beyond', () => {
    const r = range('203.0.113.0/24');

    expect(ipInRange(ip('203.0.113.0'), r)).toBe(true);
    expect(ipInRange(ip('203.0.113.255'), r)).toBe(true);
    expect(ipInRange(ip('203.0.112.255'), r)).toBe(false);
    expect(ipInRange(ip('203.0.114.0'), r)).toBe(false);
  });

  it('matches IPv6 ranges and never mixes versions', () => {
    const r = range('2001:db8::/32');

    expect(ipInRange(ip('2001:db8:ffff::1'), r)).toBe(true);
    expect(ipInRange(ip('2001:db9::1'), r)).toBe(false);
    expect(ipInRange(ip('32.1.13.184'), r)).toBe(false);
  });

  it('lets /0 cover every address of its version', () => {
    expect(ipInRange(ip('8.8.8.8'), range('0.0.0.0/0'))).toBe(true);
  });
});

describe('ipVelocitySubject', () => {
  it('counts an IPv6 host by its /64, since hosts rotate addresses inside it', () => {
    expect(ipVelocitySubject(ip('2001:db8:1:2:aaaa::1'))).toBe(ipVelocitySubject(ip('2001:db8:1:2:bbbb::2')));
    expect(ipVelocitySubject(ip('2001:db8:1:3::1'))).not.toBe(ipVelocitySubject(ip('2001:db8:1:2::1')));
  });

  it('counts an IPv4 address as itself', () => {
    expect(ipVelocitySubject(ip('203.0.113.7'))).toBe('203.0.113.7');
  });
});

describe('maskIp', () => {
  it('shows the network, not the host', () => {
    expect(maskIp(ip('203.0.113.7'))).toBe('203.0.113.0/24');
    expect(maskIp(ip('2001:db8:1:2::1'))).toBe('2001:db8:1:0:0:0:0:0/48');
  });
});
