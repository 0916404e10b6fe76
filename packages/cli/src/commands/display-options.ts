/** Console-format options shared by collect, print and sort. */
import { Option } from 'clipanion';
import * as t from 'typanion';

export const formatValidator = t.isEnum(['multi-line', 'single-line'] as const);

export const displayOptions = {
  utc: () => Option.Boolean('--utc', false, { description: 'Print timestamps as UTC dates' }),
  linkLayer: () => Option.Boolean('-e', false, { description: 'Print link-layer information' }),
  format: () => Option.String('--format', 'multi-line', { validator: formatValidator, description: 'multi-line or single-line' }),
};
