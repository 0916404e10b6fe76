#!/usr/bin/env node
/*
 * Attaches bench/floor.bpf.o's empty program to the raw tracepoints given
 * (by event name) and keeps it there until SIGINT. Prints `N probe(s)
 * loaded` once attached, as `retis collect` does. Used by collect-overhead.js.
 *
 * Usage: node bench/floor.js OBJECT EVENT...
 */
'use strict';
const { bpfNative } = require('../packages/bpf-native');

(async () => {
  const [object, ...events] = process.argv.slice(2);
  const obj = bpfNative.openObject(object, 'floor');
  await obj.load();
  const links = events.map((e) => obj.program('floor_tp').attachRawTracepoint(e));
  console.log(`${links.length} probe(s) loaded`);
  process.on('SIGINT', () => {
    for (const l of links) l.close();
    obj.close();
    process.exit(0);
  });
  setInterval(() => {}, 1 << 30);
})().catch((e) => {
  console.error(`floor: ${e.message}`);
  process.exit(1);
});
