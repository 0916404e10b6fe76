/**
 * `retis schema` and the schema block of `retis pcap`: the JSON Schema
 * (draft 2020-12) of an event, titled `Retis Metadata` as the reference's.
 *
 * Every top-level key is optional (`anyOf [{$ref}, {type: null}]`); the
 * definitions live in `$defs`. Keys a registry knows beyond the reference's
 * (sections of third-party collectors) are listed too, without constraint
 * unless their definition carries a `schema`.
 */
import { EVENT_KEY_ORDER, type SectionRegistry } from '../events/registry';
import type { SectionDefinition } from '../events/section';
import type { JsonSchema } from './schema-builders';
import { SECTION_DEFS, sectionDefinitions } from './schema-sections';

export type { JsonSchema } from './schema-builders';

export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';
export const SCHEMA_TITLE = 'Retis Metadata';

/** A section definition that describes its own JSON value. */
type DescribedSection = SectionDefinition & { schema?: JsonSchema };

/** The event schema; `registry` adds the keys registered beyond the reference's. */
export function eventJsonSchema(registry?: SectionRegistry): JsonSchema {
  const properties: JsonSchema = {};
  const keys = new Set(EVENT_KEY_ORDER);
  for (const key of registry?.keys() ?? []) keys.add(key);
  for (const key of [...keys].sort()) {
    const known = SECTION_DEFS[key];
    if (known !== undefined) {
      properties[key] = { description: known[1], anyOf: [{ $ref: `#/$defs/${known[0]}` }, { type: 'null' }] };
      continue;
    }
    const own = (registry?.get(key) as DescribedSection | undefined)?.schema;
    properties[key] = own !== undefined
      ? { description: `Section "${key}".`, anyOf: [own, { type: 'null' }] }
      : { description: `Section "${key}".` };
  }
  const defs = sectionDefinitions();
  const sortedDefs: JsonSchema = {};
  for (const name of Object.keys(defs).sort()) sortedDefs[name] = defs[name];
  return {
    $schema: SCHEMA_DIALECT,
    title: SCHEMA_TITLE,
    description: 'Retis event. One line of an events file; every section is optional.',
    type: 'object',
    properties,
    $defs: sortedDefs,
  };
}

/** The schema as `retis schema` prints it (two-space indentation). */
export function eventJsonSchemaText(registry?: SectionRegistry): string {
  return JSON.stringify(eventJsonSchema(registry), null, 2);
}
