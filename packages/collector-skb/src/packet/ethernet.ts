/**
 * Link layer: the Ethernet header, stacked VLAN tags, and the ethertype
 * dispatch to the network-layer dissectors.
 */
import { macAt } from './addr';
import { hex4, u16 } from './bytes';
import type { Dissection } from './dissection';
import { dissectArp } from './arp';
import { dissectIpv4 } from './ipv4';
import { dissectIpv6 } from './ipv6';
import { dissectMacsec } from './macsec';
import { ethertypeName, ethertypeText } from './names';

const ETH_HLEN = 14;
const VLAN_HLEN = 4;

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_TEB = 0x6558;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021AD = 0x88a8;
export const ETH_P_MACSEC = 0x88e5;
export const ETH_P_QINQ1 = 0x9100;

/** `{src} > {dst} ethertype NAME (0x....)` with -e, then the VLAN tags and the payload. */
export function dissectEthernet(d: Dissection, off: number, end: number): void {
  if (end - off < ETH_HLEN) return d.truncated();
  const b = d.buf;
  const etype = u16(b, off + 12);

  // Frames with an unknown ethertype are likely not Ethernet at all (the
  // capture can start on another link-layer header): say so before printing
  // anything from the header.
  const name = ethertypeName(etype);
  if (name === undefined) return d.unsupported('ethertype 0x' + hex4(etype));

  if (d.linkLayer) {
    d.out += macAt(b, off + 6) + ' > ' + macAt(b, off) + ' ethertype ' + name + ' (0x' + hex4(etype) + ')';
  }
  traverseVlan(d, etype, off + ETH_HLEN, end);
}

/** Skips (and with -e prints) 802.1Q / 802.1ad tags, then dissects what they carry. */
export function traverseVlan(d: Dissection, etype: number, off: number, end: number): void {
  const b = d.buf;
  while (etype === ETH_P_8021Q || etype === ETH_P_8021AD || etype === ETH_P_QINQ1) {
    if (end - off < VLAN_HLEN) return d.truncated();
    const tci = u16(b, off);
    const inner = u16(b, off + 2);
    if (d.linkLayer) {
      d.out +=
        ' vlan ' + (tci & 0xfff) + ' p ' + (tci >>> 13) + ((tci & 0x1000) !== 0 ? ' DEI' : '') +
        ' ethertype' + ethertypeText(inner);
    }
    etype = inner;
    off += VLAN_HLEN;
  }
  dissectEthertype(d, etype, off, end);
}

/** The network layer, by ethertype. With -e it follows link-layer text, hence the leading space. */
export function dissectEthertype(d: Dissection, etype: number, off: number, end: number): void {
  if (d.linkLayer) d.out += ' ';
  switch (etype) {
    case ETH_P_IP: return dissectIpv4(d, off, end);
    case ETH_P_IPV6: return dissectIpv6(d, off, end);
    case ETH_P_ARP: return dissectArp(d, off, end);
    case ETH_P_MACSEC: return dissectMacsec(d, off, end);
    default: return d.unsupported('ethertype 0x' + hex4(etype));
  }
}
