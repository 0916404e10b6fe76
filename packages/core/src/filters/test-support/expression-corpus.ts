/**
 * pcap-filter expressions for the packet filter equivalence test, by family.
 * The values match the ones packet-corpus.ts draws from, so that most
 * expressions both match and miss on the generated packets.
 */

const HOSTS = [
  'host 10.0.0.1',
  'src host 10.0.0.2',
  'dst host 192.168.1.10',
  'host 172.16.5.4 or host 8.8.8.8',
  'ip host 127.0.0.1',
  'host 2001:db8::1',
  'src host fe80::1',
  'dst host ff02::1',
  'ip6 host ::1',
  'host 224.0.0.251',
  'ether host 00:11:22:33:44:55',
  'ether src aa:bb:cc:dd:ee:ff',
  'ether dst ff:ff:ff:ff:ff:ff',
  'ether broadcast',
  'ether multicast',
  'ip multicast',
  'ip6 multicast',
  'broadcast',
  'multicast',
  'src 10.0.0.1 and dst 10.0.0.2',
  'ether host 02:00:00:00:00:01 and not ether dst 33:33:00:00:00:01',
  'arp host 10.1.2.3',
  'src host 10.0.0.1 or src host 10.0.0.2 or src host 10.1.2.3',
];

const NETS = [
  'net 10.0.0.0/8',
  'src net 192.168.0.0/16',
  'dst net 172.16.0.0/12',
  'net 10.0.0.0 mask 255.255.255.0',
  'net 192.168.1.0/24 and not host 192.168.1.255',
  'net 2001:db8::/32',
  'src net 2001:db8:1::/48',
  'dst net fe80::/10',
  'net 224.0.0.0/4',
  'not net 127.0.0.0/8',
  'net 10.0.0.0/31',
  'net 8.8.8.8/32',
  'ip6 net ff00::/8',
  'dst net 0.0.0.0/1',
];

const PORTS = [
  'port 80',
  'tcp port 443',
  'udp port 53',
  'src port 22',
  'dst port 8080',
  'tcp dst port 80',
  'udp src port 5353',
  'port 123 or port 67 or port 68',
  'tcp port 22 and not src port 22',
  'ip6 and tcp port 80',
  'ip and udp port 53',
  'port 0',
  'port 65535',
  'sctp port 80',
  'tcp src port 1024 or udp dst port 1024',
  'not port 80 and not port 443',
  'port http',
  'port domain',
];

const PORTRANGES = [
  'portrange 6000-6010',
  'tcp portrange 6000-6010',
  'udp portrange 6005-6011',
  'src portrange 1-1024',
  'dst portrange 8000-9000',
  'portrange 0-0',
  'portrange 65000-65535',
  'not portrange 1-1023',
  'tcp src portrange 20-80 and tcp dst portrange 80-443',
  'ip6 and portrange 6000-6010',
];

const PROTOCOLS = [
  'ip',
  'ip6',
  'arp',
  'rarp',
  'tcp',
  'udp',
  'icmp',
  'icmp6',
  'sctp',
  'ip proto 1',
  'ip proto 6 or ip proto 17',
  'ip6 proto 58',
  'proto 132',
  'ip proto \\tcp',
  'ip6 proto \\udp',
  'ether proto 0x88cc',
  'ether proto \\arp',
  'ether[12:2] = 0x8847',
  'not ip and not ip6',
  'ip6 protochain 6',
  'ip protochain 17',
  'ip and not tcp and not udp and not icmp',
  'ip6 and not tcp',
  'arp[6:2] = 1',
  'arp[6:2] = 2 and arp[14:4] = 0x0a000001',
  'ip[9] = 132',
  'llc',
  'stp',
];

const TCP_FLAGS = [
  'tcp[tcpflags] & tcp-syn != 0',
  'tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn',
  'tcp[tcpflags] & (tcp-syn|tcp-ack) = (tcp-syn|tcp-ack)',
  'tcp[tcpflags] & tcp-fin != 0',
  'tcp[tcpflags] & tcp-rst != 0',
  'tcp[tcpflags] & tcp-push != 0 and tcp[tcpflags] & tcp-ack != 0',
  'tcp[tcpflags] & tcp-urg != 0',
  'tcp[tcpflags] & (tcp-ece|tcp-cwr) != 0',
  'tcp[tcpflags] = tcp-ack',
  'tcp[13] & 2 = 2',
  'tcp[13] = 0x12',
  'tcp[tcpflags] & tcp-syn != 0 and port 80',
  'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 and not src net 10.0.0.0/8',
  'tcp[12] >> 4 > 5',
  'tcp[14:2] = 65535',
  'tcp[4:4] > 0x80000000',
  'tcp[tcpflags] == 0',
  'tcp[tcpflags] > 0x3f',
];

const ICMP = [
  'icmp[icmptype] = icmp-echo',
  'icmp[icmptype] = icmp-echoreply',
  'icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply',
  'icmp[icmptype] = icmp-unreach',
  'icmp[icmptype] = icmp-timxceed',
  'icmp[0] = 8 and icmp[1] = 0',
  'icmp[icmpcode] = 3',
  'icmp and icmp[icmptype] = icmp-redirect',
  'icmp6 and ip6[40] = 128',
  'icmp6[icmp6type] = icmp6-echo',
  'icmp6[icmp6type] = icmp6-neighborsolicit or icmp6[icmp6type] = icmp6-neighboradvert',
  'icmp6[icmp6type] = icmp6-routersolicit',
  'icmp6[0] = 1',
  'icmp6[icmp6code] = 0',
];

const VLAN = [
  'vlan',
  'vlan 10',
  'vlan 20',
  'vlan 100 and ip',
  'vlan and ip6',
  'vlan 1 and tcp port 80',
  'vlan and vlan',
  'vlan 10 and vlan 20',
  'vlan and host 10.0.0.1',
  'not vlan',
  'vlan 4095',
  'vlan and arp',
  'vlan and udp portrange 6000-6010',
  'ether[12:2] = 0x8100',
  'ether[12:2] = 0x88a8',
  'vlan and ether[14:2] & 0x0fff = 20',
  'vlan or ip',
  'ip or vlan',
  'mpls',
];

const IP6 = [
  'ip6 src 2001:db8::1',
  'ip6 dst 2001:db8::2',
  'ip6[6] = 17',
  'ip6[7] < 64',
  'ip6[7] = 64',
  'ip6[0:4] & 0x0fffffff != 0',
  'ip6[4:2] > 100',
  'ip6 and ip6[6] = 0',
  'ip6 and src net 2001:db8::/32 and tcp',
  'ip6 and udp dst port 53',
  'ip6 and (tcp port 80 or udp port 53)',
  'ip6 dst ff02::1 or ip6 dst fe80::1',
];

const IP4 = [
  'ip[8] = 64',
  'ip[8] < 64',
  'ip[1] != 0',
  'ip[0] & 0xf > 5',
  'ip[0] & 0xf != 5',
  'ip[6] & 0x20 != 0',
  'ip[6:2] & 0x1fff != 0',
  'ip[6] & 0x40 != 0',
  'ip[2:2] > 576',
  'ip[2:2] < 60',
  'ip[12:4] = 0x0a000001',
  'ip[16] = 224',
  'ip[4:2] = 0',
  'ip[20] = 0x45',
  'ip[0] = 0x45 and ip[9] = 6',
];

const ARITHMETIC = [
  'ip[2:2] - ((ip[0] & 0xf) << 2) > 100',
  'ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) != 0',
  '(ip[2:2] - ((ip[0] & 0xf) << 2)) / 4 > 10',
  'ip[8] * 2 > 100',
  'ip[8] % 7 = 1',
  'ip[8] ^ 0xff = 0xbf',
  'ip[8] | 1 = 65',
  'ip[8] + ip[9] = 70',
  'ip[8] - ip[9] > 50',
  '(ip[8] & 0xf0) >> 4 = 4',
  'ip[1] << 2 > 100',
  '-ip[8] & 0xff = 192',
  'tcp[0:2] + tcp[2:2] = 160',
  'tcp[0:2] % 100 = 80',
  'udp[0:2] / udp[2:2] = 1',
  'udp[0:2] % udp[2:2] = 0',
  'ip[8] / (ip[9] - 6) = 0',
  'ip[8] % (ip[9] & 1) = 0',
  'tcp[2:2] << (ip[8] & 0x3f) > 1000',
  'tcp[2:2] >> (ip[8] & 0x3f) > 1',
  'ip[12:4] & 0xffffff00 = 0x0a000000',
  'len - 14 = ip[2:2]',
  'len * 2 > 200',
  'ether[0] & 1 = 1 and len % 2 = 0',
  'ip[8] & ip[9] != 0',
  'ip[8] * ip[9] > 300',
  '(ip[8] + 1) * (ip[9] + 1) % 13 = 5',
  '(len - 1) & 0x3ff = 0x3f',
];

const ETHER = [
  'ether[0] = 0xff',
  'ether[0] & 1 != 0',
  'ether[6:4] = 0xaabbccdd',
  'ether[12:2] = 0x0800',
  'ether[12:2] = 0x86dd',
  'ether[12:2] > 0x05dc',
  'ether[12:2] <= 0x05dc',
  'ether[14] = 0x45',
  'ether[14] & 0xf0 = 0x60',
  'ether[23] = 6',
  'ether[0:4] = 0xffffffff and ether[4:2] = 0xffff',
  'ether[len - 1] = 0',
  'ether[100] = 0',
  'ether[1000] != 0',
];

const LENGTHS = [
  'len > 100',
  'len < 64',
  'len = 60',
  'len >= 1000',
  'len <= 54',
  'greater 1000',
  'less 100',
  'greater 64 and less 128',
  'not greater 200',
  'len > 60 and tcp',
  'ip and len - 14 > 1400',
  'len != 42',
];

const COMBINED = [
  'tcp and (port 80 or port 443)',
  'udp and not port 53',
  'host 10.0.0.1 and (tcp or icmp)',
  'not (host 10.0.0.1 or host 10.0.0.2)',
  'not tcp',
  'not (tcp or udp)',
  '!udp',
  'tcp && port 80 || udp && port 53',
  '(src net 10.0.0.0/8 and dst net 192.168.0.0/16) or (src net 192.168.0.0/16 and dst net 10.0.0.0/8)',
  'ip and not net 10.0.0.0/8 and not net 192.168.0.0/16',
  'arp or icmp or icmp6',
  'tcp port 80 and (tcp[tcpflags] & tcp-syn != 0)',
  'not ip6 and not arp and not ip',
  'ether src 00:11:22:33:44:55 and ip dst 8.8.8.8',
  'vlan 10 and (tcp port 80 or udp port 53)',
  'not vlan and tcp[tcpflags] & tcp-rst != 0',
  'ip6 or (ip and len > 1000)',
  'icmp or (tcp and greater 500)',
  'host 2001:db8::1 and not tcp',
  '(ip6 and udp) or (ip and tcp) or arp',
  'not (port 80 or port 443 or port 22 or port 53)',
  'not not tcp',
  'tcp and not (tcp[tcpflags] & tcp-ack != 0)',
  'portrange 6000-6010 and not port 6005',
  '((tcp))',
  'ip and ip[8] > 32 and ip[8] < 128 and not ip[9] = 1',
];

/** The i-th addresses and port of the long `or` chains. */
export const chainHost = (i: number): string => `10.${(i >> 8) & 0xff}.${i & 0xff}.${(i * 7) & 0xff}`;
export const chainHost6 = (i: number): string => `2001:db8:${i.toString(16)}::${(i * 7).toString(16)}`;
export const chainPort = (i: number): number => 1000 + i * 3;

/** Long `or` chains: the largest filters users write by hand. */
export function hostChain(count: number): string {
  return Array.from({ length: count }, (_, i) => `host ${chainHost(i)}`).join(' or ');
}
export function host6Chain(count: number): string {
  return Array.from({ length: count }, (_, i) => `host ${chainHost6(i)}`).join(' or ');
}
export function portChain(count: number): string {
  return Array.from({ length: count }, (_, i) => `port ${chainPort(i)}`).join(' or ');
}
/** `(host a and port p) or (host b and port q) ...` */
export function hostPortChain(count: number): string {
  return Array.from({ length: count }, (_, i) => `(host ${chainHost(i)} and port ${chainPort(i)})`).join(' or ');
}

const CHAINS = [hostChain(8), portChain(12), `(${hostChain(4)}) and (${portChain(4)})`];

export const EXPRESSION_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  hosts: HOSTS,
  nets: NETS,
  ports: PORTS,
  portranges: PORTRANGES,
  protocols: PROTOCOLS,
  tcpflags: TCP_FLAGS,
  icmp: ICMP,
  vlan: VLAN,
  ip6: IP6,
  ip4: IP4,
  arithmetic: ARITHMETIC,
  ether: ETHER,
  lengths: LENGTHS,
  combined: COMBINED,
  chains: CHAINS,
};

export const EXPRESSIONS: readonly string[] = Object.values(EXPRESSION_FAMILIES).flat();
