/** A parsed IP address. IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are read as IPv4. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

/** An address range: a network and its prefix length. A single address is a full-length prefix. */
export interface IpRange {
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;
const IPV4_MAPPED_PREFIX = 0xffffn << 32n;

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are refused: some stacks read them as octal, so the same text could mean two addresses.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.includes('%')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string | undefined): string[] | undefined =>
    half === undefined || half === '' ? [] : half.split(':');
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  if (!head || !tail) return undefined;
  const words: number[] = [];
  const readGroups = (groups: string[], allowIpv4Tail: boolean): boolean => {
    for (const [index, group] of groups.entries()) {
      if (allowIpv4Tail && index === groups.length - 1 && group.includes('.')) {
        const v4 = parseIpv4(group);
        if (v4 === undefined) return false;
        words.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(group)) return false;
        words.push(Number.parseInt(group, 16));
      }
    }
    return true;
  };
  const compressed = halves.length === 2;
  if (!readGroups(head, !compressed)) return undefined;
  const headWords = words.length;
  if (!readGroups(tail, true)) return undefined;
  const missing = 8 - words.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  words.splice(headWords, 0, ...new Array<number>(compressed ? missing : 0).fill(0));
  return words.reduce((value, word) => (value << 16n) | BigInt(word), 0n);
}

/** Parses an IPv4 or IPv6 address; `undefined` when the text is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const trimmed = text.trim();
  const v4 = parseIpv4(trimmed);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = parseIpv6(trimmed);
  if (v6 === undefined) return undefined;
  // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; they must match IPv4 lists.
  if (v6 >> 32n === IPV4_MAPPED_PREFIX >> 32n) return { version: 4, value: v6 & 0xffffffffn };
  return { version: 6, value: v6 };
}

function hostMask(version: 4 | 6, prefix: number): bigint {
  return (1n << BigInt(BITS[version] - prefix)) - 1n;
}

/**
 * Parses an address or CIDR range (`203.0.113.0/24`, `2001:db8::/32`, `198.51.100.7`). Returns an error
 * message for text that is not one, or that has host bits set, which usually means a typo.
 */
export function parseIpRange(text: string): IpRange | { error: string } {
  const [addressText = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return { error: `${text} is not an IP address or CIDR range` };
  const address = parseIp(addressText);
  if (!address) return { error: `${text} is not an IP address or CIDR range` };
  const bits = BITS[address.version];
  if (prefixText === undefined) return { version: address.version, network: address.value, prefix: bits };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return { error: `${text} has an invalid prefix length (0–${bits})` };
  }
  const prefix = Number(prefixText);
  const mask = hostMask(address.version, prefix);
  if ((address.value & mask) !== 0n) {
    const network = formatIp({ version: address.version, value: address.value & ~mask });
    return { error: `${text} has host bits set; did you mean ${network}/${prefix}?` };
  }
  return { version: address.version, network: address.value, prefix };
}

/** Whether an address lies inside a range of the same IP version. */
export function ipInRange(ip: IpAddress, range: IpRange): boolean {
  if (ip.version !== range.version) return false;
  return (ip.value & ~hostMask(ip.version, range.prefix)) === range.network;
}

/** Formats an address: dotted quad, or eight full hexadecimal groups (unambiguous, not compressed). */
export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((ip.value >> shift) & 0xffffn).toString(16));
  return groups.join(':');
}

function prefixOf(ip: IpAddress, prefix: number): string {
  return `${formatIp({ version: ip.version, value: ip.value & ~hostMask(ip.version, prefix) })}/${prefix}`;
}

/**
 * The subject velocity counts an address under. An IPv6 host usually rotates its interface id within one
 * /64 (privacy extensions), so counting full IPv6 addresses would let one device look like many.
 */
export function ipVelocitySubject(ip: IpAddress): string {
  return ip.version === 4 ? formatIp(ip) : prefixOf(ip, 64);
}

/** The address as staff see it in reasons: its /24 (IPv4) or /48 (IPv6) network, not the host. */
export function maskIp(ip: IpAddress): string {
  return prefixOf(ip, ip.version === 4 ? 24 : 48);
}
