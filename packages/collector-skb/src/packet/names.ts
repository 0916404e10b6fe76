import { hex4 } from './bytes';

/**
 * Names Retis gives to ethertypes and IP protocols. Anything else is printed
 * by number only.
 */

export function ethertypeName(etype: number): string | undefined {
  switch (etype) {
    case 0x0800: return 'IPv4';
    case 0x0806: return 'ARP';
    case 0x6558: return 'TEB';
    case 0x8035: return 'Reverse ARP';
    case 0x809b: return 'Appletalk';
    case 0x80f3: return 'Appletalk ARP';
    case 0x8100: return '802.1Q';
    case 0x86dd: return 'IPv6';
    case 0x880b: return 'PPP';
    case 0x8847: return 'MPLS unicast';
    case 0x8848: return 'MPLS multicast';
    case 0x8863: return 'PPPoE D';
    case 0x8864: return 'PPPoE S';
    case 0x888e: return 'EAPOL';
    case 0x88a8: return '802.1Q-QinQ';
    case 0x88e5: return '802.1AE MACsec';
    case 0x88f7: return 'PTP';
    case 0x9100: return '802.1Q-9100';
    default: return undefined;
  }
}

export function protocolName(proto: number): string | undefined {
  switch (proto) {
    case 1: return 'ICMP';
    case 2: return 'IGMP';
    case 4: return 'IPIP';
    case 6: return 'TCP';
    case 17: return 'UDP';
    case 27: return 'RDP';
    case 33: return 'DCCP';
    case 41: return 'IPv6';
    case 47: return 'GRE';
    case 50: return 'ESP';
    case 51: return 'AH';
    case 58: return 'ICMPv6';
    case 89: return 'OSPF';
    case 112: return 'VRRP';
    case 115: return 'L2TP';
    case 132: return 'SCTP';
    case 143: return 'Ethernet';
    default: return undefined;
  }
}

/** ` proto NAME (n)`, or ` proto (n)` for a protocol without a name. */
export function protoText(proto: number): string {
  const name = protocolName(proto);
  return name === undefined ? ' proto (' + proto + ')' : ' proto ' + name + ' (' + proto + ')';
}

/** ` NAME (0x....)` or ` (0x....)`: the ethertype as Ethernet, VLAN and Geneve print it. */
export function ethertypeText(etype: number): string {
  const name = ethertypeName(etype);
  return name === undefined ? ' (0x' + hex4(etype) + ')' : ' ' + name + ' (0x' + hex4(etype) + ')';
}
