/**
 * Deterministic packets for the packet filter equivalence test: mostly well
 * formed frames whose addresses, ports, VLAN ids and flags are drawn from the
 * values the expression corpus names (so both branches of each test are
 * taken), plus random values, random bytes and truncated frames.
 */
import {
  arp,
  EtherType,
  ethernet,
  icmp,
  IpProto,
  ipv4,
  ipv4Addr,
  ipv6,
  ipv6Addr,
  mac,
  TcpFlag,
  tcp,
  udp,
  type VlanTag,
} from './frames';
import type { HarnessPacket } from './packet-harness';

/** xorshift32: small, seedable, the same sequence on every run. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** 0 <= n < bound */
  int(bound: number): number {
    return this.next() % bound;
  }

  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)];
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

export const MACS = ['00:11:22:33:44:55', 'aa:bb:cc:dd:ee:ff', 'ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:fb', '33:33:00:00:00:01', '02:00:00:00:00:01'];
export const IPV4 = ['10.0.0.1', '10.0.0.2', '10.1.2.3', '192.168.1.10', '192.168.1.255', '172.16.5.4', '8.8.8.8', '224.0.0.251', '255.255.255.255', '127.0.0.1'];
export const IPV6 = ['2001:db8::1', '2001:db8::2', '2001:db8:1::5', 'fe80::1', 'ff02::1', '::1', '2a00:1450::200e'];
export const PORTS = [22, 53, 80, 443, 8080, 6000, 6005, 6010, 6011, 123, 67, 68, 5353, 1024, 65535, 0];
export const VLAN_IDS = [1, 10, 20, 100, 4095];
const TCP_FLAG_SETS = [
  TcpFlag.SYN,
  TcpFlag.SYN | TcpFlag.ACK,
  TcpFlag.ACK,
  TcpFlag.FIN | TcpFlag.ACK,
  TcpFlag.RST,
  TcpFlag.PUSH | TcpFlag.ACK,
  TcpFlag.URG | TcpFlag.ACK,
  TcpFlag.ECE | TcpFlag.CWR | TcpFlag.SYN,
];

function macFrom(rng: Rng): Buffer {
  return rng.chance(0.8) ? mac(rng.pick(MACS)) : rng.bytes(6);
}
function v4From(rng: Rng): Buffer {
  return rng.chance(0.8) ? ipv4Addr(rng.pick(IPV4)) : rng.bytes(4);
}
function v6From(rng: Rng): Buffer {
  return rng.chance(0.8) ? ipv6Addr(rng.pick(IPV6)) : rng.bytes(16);
}
function portFrom(rng: Rng): number {
  return rng.chance(0.8) ? rng.pick(PORTS) : rng.int(65536);
}

function payload(rng: Rng): Buffer {
  // Mostly small; some large enough for `greater`/`len` thresholds near 1000.
  return rng.bytes(rng.chance(0.1) ? 900 + rng.int(500) : rng.int(64));
}

/** A transport header for `proto`, or random bytes for other protocols. */
function transport(rng: Rng, proto: number, v6: boolean): Buffer {
  switch (proto) {
    case IpProto.TCP: {
      const options = rng.chance(0.2) ? rng.bytes(4 * (1 + rng.int(5))) : undefined;
      const flags = rng.chance(0.7) ? rng.pick(TCP_FLAG_SETS) : rng.int(256);
      return tcp(portFrom(rng), portFrom(rng), flags, payload(rng), {
        seq: rng.next(),
        ack: rng.next(),
        window: rng.chance(0.5) ? 65535 : rng.int(65536),
        options,
      });
    }
    case IpProto.UDP:
      return udp(portFrom(rng), portFrom(rng), payload(rng));
    case IpProto.ICMP:
    case IpProto.ICMPV6: {
      const types = v6 ? [128, 129, 133, 134, 135, 136, 1, 3] : [0, 8, 3, 11, 5, 13];
      return icmp(rng.chance(0.85) ? rng.pick(types) : rng.int(256), rng.int(4), payload(rng), rng.next());
    }
    default:
      return payload(rng);
  }
}

function ipv4Packet(rng: Rng): Buffer {
  const proto = rng.chance(0.9) ? rng.pick([IpProto.TCP, IpProto.TCP, IpProto.UDP, IpProto.UDP, IpProto.ICMP, IpProto.SCTP]) : rng.int(256);
  const fragment = rng.chance(0.1) ? rng.pick([0x2000, 0x2000 | (1 + rng.int(100)), 1 + rng.int(0x1fff), 0x4000]) : 0x4000 * rng.int(2);
  return ipv4(v4From(rng), v4From(rng), proto, transport(rng, proto, false), {
    tos: rng.chance(0.7) ? 0 : rng.int(256),
    id: rng.int(65536),
    fragment,
    ttl: rng.chance(0.7) ? 64 : rng.int(256),
    options: rng.chance(0.15) ? rng.bytes(4 * (1 + rng.int(10))) : undefined,
  });
}

function ipv6Packet(rng: Rng): Buffer {
  const proto = rng.chance(0.9) ? rng.pick([IpProto.TCP, IpProto.TCP, IpProto.UDP, IpProto.UDP, IpProto.ICMPV6]) : rng.int(256);
  return ipv6(v6From(rng), v6From(rng), proto, transport(rng, proto, true), {
    trafficClass: rng.chance(0.7) ? 0 : rng.int(256),
    flowLabel: rng.int(0x100000),
    hopLimit: rng.chance(0.7) ? 64 : rng.int(256),
    hopByHop: rng.chance(0.1),
  });
}

function arpPacket(rng: Rng): Buffer {
  return arp(rng.pick([1, 2]), macFrom(rng), v4From(rng), macFrom(rng), v4From(rng));
}

function vlanTags(rng: Rng): VlanTag[] {
  const tag = (tpid: number): VlanTag => ({ tpid, id: rng.chance(0.8) ? rng.pick(VLAN_IDS) : rng.int(4096), pcp: rng.int(8) });
  const roll = rng.int(10);
  if (roll < 7) return [];
  if (roll < 9) return [tag(EtherType.VLAN)];
  return [tag(rng.pick([EtherType.QINQ, EtherType.VLAN])), tag(EtherType.VLAN)];
}

function wellFormed(rng: Rng): HarnessPacket {
  const tags = vlanTags(rng);
  const roll = rng.int(100);
  let type: number;
  let body: Buffer;
  if (roll < 45) [type, body] = [EtherType.IPV4, ipv4Packet(rng)];
  else if (roll < 78) [type, body] = [EtherType.IPV6, ipv6Packet(rng)];
  else if (roll < 90) [type, body] = [EtherType.ARP, arpPacket(rng)];
  else [type, body] = [rng.pick([0x88cc, 0x8847, 0x0842, rng.int(65536)]), payload(rng)];
  const bytes = ethernet(macFrom(rng), macFrom(rng), type, body, tags);
  return { bytes, l3Offset: 14 + 4 * tags.length };
}

/** Cuts the frame somewhere (a capture shorter than the packet). */
function truncated(rng: Rng, p: HarnessPacket): HarnessPacket {
  const bytes = p.bytes.subarray(0, 1 + rng.int(p.bytes.length));
  return { bytes, l3Offset: Math.min(p.l3Offset, bytes.length) };
}

/** Random bytes behind a random or known EtherType. */
function noise(rng: Rng): HarnessPacket {
  const bytes = rng.bytes(14 + rng.int(200));
  if (rng.chance(0.6)) bytes.writeUInt16BE(rng.pick([EtherType.IPV4, EtherType.IPV6, EtherType.ARP, EtherType.VLAN]), 12);
  if (rng.chance(0.5) && bytes.length > 14) bytes[14] = (rng.pick([4, 6]) << 4) | (bytes[14] & 0x0f);
  return { bytes, l3Offset: 14 };
}

export function generatePackets(count: number, seed = 0x5eed): HarnessPacket[] {
  const rng = new Rng(seed);
  const out: HarnessPacket[] = [];
  while (out.length < count) {
    const roll = rng.int(100);
    if (roll < 85) out.push(wellFormed(rng));
    else if (roll < 93) out.push(truncated(rng, wellFormed(rng)));
    else out.push(noise(rng));
  }
  return out;
}
