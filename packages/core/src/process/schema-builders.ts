/**
 * Small builders for the JSON Schema of events, in the shapes the
 * reference's generator (schemars) emits, so that tools reading the
 * reference's schema (its Wireshark dissector) read ours the same way:
 * integers carry `format` (`uint32`, `int64`, ...) and their bounds, an
 * optional field is `[type, "null"]` (or `anyOf [{$ref}, {type: null}]`) and
 * is left out of `required`, objects list their properties in name order.
 */

/** A JSON Schema node (draft 2020-12). */
export type JsonSchema = { [keyword: string]: JsonSchemaValue };
type JsonSchemaValue = string | number | boolean | JsonSchema | JsonSchemaValue[];

const UINT_MAX: Record<number, number> = { 8: 255, 16: 65535 };

function withDescription(schema: JsonSchema, description: string | undefined): JsonSchema {
  return description === undefined ? schema : { description, ...schema };
}

/** Unsigned integer of `bits` bits (u32 and u64 have no maximum, as schemars writes them). */
export function uint(bits: 8 | 16 | 32 | 64, description?: string): JsonSchema {
  const s: JsonSchema = { type: 'integer', format: `uint${bits}` };
  if (UINT_MAX[bits] !== undefined) s.maximum = UINT_MAX[bits];
  s.minimum = 0;
  return withDescription(s, description);
}

export function int(bits: 32 | 64, description?: string): JsonSchema {
  return withDescription({ type: 'integer', format: `int${bits}` }, description);
}

export function str(description?: string): JsonSchema {
  return withDescription({ type: 'string' }, description);
}

export function bool(description?: string): JsonSchema {
  return withDescription({ type: 'boolean' }, description);
}

export function strArray(description?: string): JsonSchema {
  return withDescription({ type: 'array', items: { type: 'string' } }, description);
}

export function constant(value: string): JsonSchema {
  return { type: 'string', const: value };
}

export function stringEnum(values: readonly string[], description?: string): JsonSchema {
  return withDescription({ type: 'string', enum: [...values] }, description);
}

export function ref(name: string, description?: string): JsonSchema {
  return withDescription({ $ref: `#/$defs/${name}` }, description);
}

/** An optional value: `null` allowed, and the property left out of `required`. */
export function optional(schema: JsonSchema): JsonSchema {
  const { description, ...rest } = schema;
  const type = rest.type;
  if (typeof type === 'string' && rest.$ref === undefined) {
    return withDescription({ ...rest, type: [type, 'null'] }, description as string | undefined);
  }
  return withDescription({ anyOf: [rest, { type: 'null' }] }, description as string | undefined);
}

const OPTIONAL = Symbol('optional');
type Property = JsonSchema & { [OPTIONAL]?: true };

/** Mark an object property optional (nullable, not required). */
export function opt(schema: JsonSchema): Property {
  const s: Property = optional(schema);
  s[OPTIONAL] = true;
  return s;
}

/**
 * An object: `required` lists the non-optional properties in the order
 * given (the field order of the events file), `properties` are in name
 * order.
 */
export function object(description: string | undefined, properties: Record<string, Property>): JsonSchema {
  const props: JsonSchema = {};
  for (const name of Object.keys(properties).sort()) props[name] = stripMark(properties[name]);
  const required = Object.keys(properties).filter((name) => properties[name][OPTIONAL] !== true);
  const s: JsonSchema = { type: 'object', properties: props };
  if (required.length > 0) s.required = required;
  return withDescription(s, description);
}

function stripMark(p: Property): JsonSchema {
  const { [OPTIONAL]: _mark, ...rest } = p;
  return rest;
}
