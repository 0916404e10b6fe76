/**
 * Network namespaces for tests that route, NAT or bridge between several of
 * them: made on demand, removed together (their veths, bridges, qdiscs and
 * nft tables go with them). Used by the VM tests and test/e2e/tracking.
 */
import { execFileSync, spawnSync } from 'child_process';

export const sh = (cmd: string, ...args: string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Runs a command in a namespace. */
export const inNs = (name: string, ...cmd: string[]): string => sh('ip', 'netns', 'exec', name, ...cmd);

export class Topology {
  private readonly made: string[] = [];
  private readonly id = `${process.pid % 10000}`;

  constructor(private readonly prefix: string) {}

  /** A new namespace with lo up. */
  ns(tag: string): string {
    const name = `rt-${this.prefix}-${tag}${this.id}`;
    sh('ip', 'netns', 'add', name);
    this.made.push(name);
    inNs(name, 'ip', 'link', 'set', 'lo', 'up');
    return name;
  }

  /** A veth pair between two namespaces (or within one), both ends up; returns their names. */
  link(a: string, b: string, tag: string): [string, string] {
    const [va, vb] = [`${tag}a${this.id}`.slice(0, 15), `${tag}b${this.id}`.slice(0, 15)];
    sh('ip', 'link', 'add', va, 'netns', a, 'type', 'veth', 'peer', 'name', vb, 'netns', b);
    inNs(a, 'ip', 'link', 'set', va, 'up');
    inNs(b, 'ip', 'link', 'set', vb, 'up');
    return [va, vb];
  }

  destroy(): void {
    for (const name of this.made.splice(0)) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  }
}

export interface Routed {
  client: string;
  router: string;
  server: string;
  /** The router's ends: towards the client, towards the server. */
  routerIn: string;
  routerOut: string;
  serverIn: string;
}

/**
 * client 192.0.2.1 -- 192.0.2.254 router 198.51.100.254 -- 198.51.100.2 server,
 * the router forwarding. The client reaches the server, and 192.0.2.100
 * through the router (for a DNAT to add).
 */
export function routed(topo: Topology): Routed {
  const client = topo.ns('cli');
  const router = topo.ns('rtr');
  const server = topo.ns('srv');
  const [c0, routerIn] = topo.link(client, router, 'tc');
  const [routerOut, serverIn] = topo.link(router, server, 'ts');
  inNs(client, 'ip', 'addr', 'add', '192.0.2.1/24', 'dev', c0);
  inNs(router, 'ip', 'addr', 'add', '192.0.2.254/24', 'dev', routerIn);
  inNs(router, 'ip', 'addr', 'add', '198.51.100.254/24', 'dev', routerOut);
  inNs(server, 'ip', 'addr', 'add', '198.51.100.2/24', 'dev', serverIn);
  inNs(client, 'ip', 'route', 'add', '192.0.2.100/32', 'via', '192.0.2.254');
  inNs(client, 'ip', 'route', 'add', '198.51.100.0/24', 'via', '192.0.2.254');
  inNs(server, 'ip', 'route', 'add', 'default', 'via', '198.51.100.254');
  inNs(router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  return { client, router, server, routerIn, routerOut, serverIn };
}

/**
 * Makes the router reallocate the heads of packets it forwards: every packet
 * arriving on routerIn is mirrored (tc) to a veth whose peer queues the
 * clone, so the original is still cloned when ip_forward makes it writable
 * (skb_cow -> pskb_expand_head).
 */
export function cloneOnIngress(topo: Topology, r: Routed): void {
  const [mirror] = topo.link(r.router, r.router, 'mr');
  inNs(r.router, 'tc', 'qdisc', 'add', 'dev', r.routerIn, 'ingress');
  inNs(r.router, 'tc', 'filter', 'add', 'dev', r.routerIn, 'ingress', 'protocol', 'ip', 'u32', 'match', 'u32', '0', '0',
    'action', 'mirred', 'egress', 'mirror', 'dev', mirror);
}
