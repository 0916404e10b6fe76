/**
 * The `ct` event key: the conntrack entry of the packet. JSON and console
 * text follow Retis 1.7 (see json.ts and text.ts).
 */
import type { SectionDefinition } from '@retis/core';
import { ctFromJson, ctToJson } from './json';
import { formatCt } from './text';
import type { CtSection } from './types';

export type * from './types';

export const ctSection: SectionDefinition<CtSection> = {
  key: 'ct',
  fromJson: ctFromJson,
  toJson: ctToJson,
  format: (ct, fmt) => formatCt(ct, fmt),
};

export const CT_SECTIONS: readonly SectionDefinition[] = [ctSection];
