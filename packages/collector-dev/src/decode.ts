/**
 * Raw decoding of dev (owner 10): data type 1
 * `struct dev_event {u8 dev_name[16]; u32 ifindex; u32 iif}`.
 */
import {
  cString,
  onlySection,
  LITTLE_ENDIAN,
  type RawSection,
  type RetisEvent,
  type SectionFactory,
  type StructLayout,
  viewOf,
} from '@retis/core';
import type { DevSection } from './sections';

// @retis/core's re-exports are property getters under CommonJS: the hot path
// binds what it uses once, here.
const LE = LITTLE_ENDIAN;
const single = onlySection;
const dataView = viewOf;
const cStr = cString;

export const DEV_OWNER = 10;
const DT_DEV = 1;

export const DEV_EVENT_LAYOUT = {
  name: 'dev_event',
  size: 24,
  fields: {
    dev_name: { offset: 0, size: 16 },
    ifindex: { offset: 16, size: 4 },
    iif: { offset: 20, size: 4 },
  },
} as const satisfies StructLayout;

export class DevFactory implements SectionFactory {
  constructor(readonly owner: number = DEV_OWNER) {}

  decode(buf: Buffer, sections: RawSection[], event: RetisEvent, view?: DataView): void {
    const s = single(sections, 'dev', DT_DEV, DEV_EVENT_LAYOUT);
    const f = DEV_EVENT_LAYOUT.fields;
    // As the reference: a name that is not a NUL-terminated UTF-8 string drops the section.
    const name = cStr(buf, s.offset + f.dev_name.offset, f.dev_name.size);
    if (name === undefined) return;
    const v = dataView(buf, view);
    const dev: DevSection = { name, ifindex: v.getUint32(s.offset + f.ifindex.offset, LE) };
    const iif = v.getUint32(s.offset + f.iif.offset, LE);
    if (iif !== 0) dev.rx_ifindex = iif;
    event.dev = dev;
  }
}
