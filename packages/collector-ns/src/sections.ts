/**
 * The `netns` event key: the packet's network namespace. JSON `{cookie?,
 * inum}` (cookie is u64, absent on kernels without `net->net_cookie`);
 * text `ns {cookie:#x}/{inum}` or `ns {inum}`.
 */
import { obj, optU64, type SectionDefinition, uint } from '@retis/core';

export interface NetnsSection {
  /** net->net_cookie, unique per namespace for the system's lifetime. */
  cookie?: bigint;
  /** Namespace inode number (as in /proc/<pid>/ns/net). */
  inum: number;
}

declare module '@retis/core' {
  interface EventSections {
    netns?: NetnsSection;
  }
}

export const netnsSection: SectionDefinition<NetnsSection> = {
  key: 'netns',
  fromJson(value) {
    const o = obj(value, 'netns');
    const inum = uint(o.inum, 'netns.inum');
    const cookie = optU64(o.cookie, 'netns.cookie');
    return cookie === undefined ? { inum } : { cookie, inum };
  },
  toJson(n) {
    return n.cookie === undefined ? `{"inum":${n.inum}}` : `{"cookie":${n.cookie},"inum":${n.inum}}`;
  },
  format(n) {
    return n.cookie === undefined ? `ns ${n.inum}` : `ns 0x${n.cookie.toString(16)}/${n.inum}`;
  },
};

export const NS_SECTIONS: readonly SectionDefinition[] = [netnsSection];
