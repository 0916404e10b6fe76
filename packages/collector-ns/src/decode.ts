/**
 * Raw decoding of ns (owner 11): data type 0
 * `struct ns_event {u64 cookie; u32 inum; u32 pad}`.
 */
import {
  onlySection,
  LITTLE_ENDIAN,
  type RawSection,
  type RetisEvent,
  type SectionFactory,
  type StructLayout,
  viewOf,
} from '@retis/core';

// @retis/core's re-exports are property getters under CommonJS: the hot path
// binds what it uses once, here.
const LE = LITTLE_ENDIAN;
const single = onlySection;
const dataView = viewOf;

export const NS_OWNER = 11;
const DT_NS = 0;

export const NS_EVENT_LAYOUT = {
  name: 'ns_event',
  size: 16,
  fields: {
    cookie: { offset: 0, size: 8 },
    inum: { offset: 8, size: 4 },
    pad: { offset: 12, size: 4 },
  },
} as const satisfies StructLayout;

export interface NsFactoryOptions {
  /**
   * Whether the kernel's `struct net` has `net_cookie` (a BTF check done by
   * the caller); without it the cookie the hook wrote is meaningless and the
   * section omits it.
   */
  hasCookie?: boolean;
  owner?: number;
}

export class NsFactory implements SectionFactory {
  readonly owner: number;
  private readonly hasCookie: boolean;

  constructor(opts: NsFactoryOptions = {}) {
    this.owner = opts.owner ?? NS_OWNER;
    this.hasCookie = opts.hasCookie ?? true;
  }

  decode(buf: Buffer, sections: RawSection[], event: RetisEvent, view?: DataView): void {
    const s = single(sections, 'ns', DT_NS, NS_EVENT_LAYOUT);
    const v = dataView(buf, view);
    const f = NS_EVENT_LAYOUT.fields;
    const inum = v.getUint32(s.offset + f.inum.offset, LE);
    event.netns = this.hasCookie ? { cookie: v.getBigUint64(s.offset + f.cookie.offset, LE), inum } : { inum };
  }
}
