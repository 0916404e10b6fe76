/**
 * The event keys of the ovs collector: `ovs` (datapath and ovs-vswitchd
 * events, tagged by `event_type`) and `ovs-detrace` (flow information
 * fetched from ovs-vswitchd). JSON and console text follow Retis 1.7 (see
 * json.ts and text.ts).
 */
import type { SectionDefinition } from '@retis/core';
import { detraceFromJson, detraceToJson, ovsFromJson, ovsToJson } from './json';
import { formatDetrace, formatOvs } from './text';
import type { OvsDetraceSection, OvsSection } from './types';

export type * from './types';
export { OVS_NAMED_ACTIONS } from './types';
export { ufidText } from './text';

export const ovsSection: SectionDefinition<OvsSection> = {
  key: 'ovs',
  fromJson: ovsFromJson,
  toJson: ovsToJson,
  format: (e, fmt) => formatOvs(e, fmt),
};

export const ovsDetraceSection: SectionDefinition<OvsDetraceSection> = {
  key: 'ovs-detrace',
  fromJson: detraceFromJson,
  toJson: detraceToJson,
  format: (d, fmt) => formatDetrace(d, fmt),
};

export const OVS_SECTIONS: readonly SectionDefinition[] = [ovsSection, ovsDetraceSection];
