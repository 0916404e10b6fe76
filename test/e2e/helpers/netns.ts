/**
 * Test hosts: network namespaces joined by veth pairs, made by the test and
 * removed after it, whatever happens. Addresses come from TEST-NET-1
 * (192.0.2.0/24), which is never routed outside these namespaces.
 */
import { execFileSync, spawnSync } from 'child_process';

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function inNs(ns: string, cmd: string, args: string[]): string {
  return sh('ip', ['netns', 'exec', ns, cmd, ...args]);
}

export interface NsPair {
  /** Namespace names. */
  a: string;
  b: string;
  /** veth names: vethA lives in a, vethB in b. */
  vethA: string;
  vethB: string;
  addrA: string;
  addrB: string;
  /** ifindex of vethB inside b. */
  ifindexB: number;
  destroy(): void;
}

let counter = 0;

/** Two namespaces a <-> b over one veth pair, both up, with IPv4 addresses. */
export function createNsPair(tag: string): NsPair {
  const id = `${process.pid % 10000}${counter++}`;
  const a = `rt-${tag}-a${id}`;
  const b = `rt-${tag}-b${id}`;
  // veth names are limited to 15 characters.
  const vethA = `va${id}`.slice(0, 15);
  const vethB = `vb${id}`.slice(0, 15);
  const addrA = '192.0.2.1';
  const addrB = '192.0.2.2';
  const destroy = () => {
    for (const ns of [a, b]) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  };
  try {
    sh('ip', ['netns', 'add', a]);
    sh('ip', ['netns', 'add', b]);
    sh('ip', ['link', 'add', vethA, 'netns', a, 'type', 'veth', 'peer', 'name', vethB, 'netns', b]);
    inNs(a, 'ip', ['addr', 'add', `${addrA}/24`, 'dev', vethA]);
    inNs(b, 'ip', ['addr', 'add', `${addrB}/24`, 'dev', vethB]);
    for (const [ns, dev] of [[a, vethA], [b, vethB]]) {
      inNs(ns, 'ip', ['link', 'set', dev, 'up']);
      inNs(ns, 'ip', ['link', 'set', 'lo', 'up']);
    }
    const ifindexB = Number(inNs(b, 'cat', [`/sys/class/net/${vethB}/ifindex`]).trim());
    return { a, b, vethA, vethB, addrA, addrB, ifindexB, destroy };
  } catch (e) {
    destroy();
    throw e;
  }
}

/** The netns inode number of a named namespace. */
export function nsInode(ns: string): number {
  return Number(inNs(ns, 'stat', ['-L', '-c', '%i', '/proc/self/ns/net']).trim());
}
