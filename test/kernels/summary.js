#!/usr/bin/env node
/*
 * Summary of the end-to-end suite across kernels. Each kernel's run left, in
 * its report directory, jest's JSON results (results.json) and the tests it
 * could not run for lack of a kernel feature (deferred.jsonl). Prints one
 * line per kernel and fails when a test failed, or when a deferred test did
 * not pass on any kernel.
 *
 * Usage: node test/kernels/summary.js NAME=DIR [NAME=DIR...]
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '../..');
const runs = process.argv.slice(2).map((arg) => {
  const eq = arg.indexOf('=');
  const name = arg.slice(0, eq);
  const dir = arg.slice(eq + 1);
  const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
  const deferredFile = path.join(dir, 'deferred.jsonl');
  const deferred = fs.existsSync(deferredFile)
    ? fs.readFileSync(deferredFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    : [];
  const kernel = fs.existsSync(path.join(dir, 'kernel')) ? fs.readFileSync(path.join(dir, 'kernel'), 'utf8').trim() : '?';
  const tests = [];
  for (const file of results.testResults) {
    const rel = path.relative(ROOT, file.name);
    for (const a of file.assertionResults) tests.push({ file: rel, title: a.title, full: a.fullName, status: a.status });
    // A file that failed to run at all (syntax error, crash) has no assertions.
    if (file.assertionResults.length === 0 && file.status === 'failed') tests.push({ file: rel, title: '(file)', full: rel, status: 'failed' });
  }
  return { name, kernel, tests, deferred };
});

const key = (t) => `${t.file} :: ${t.title}`;
const passedSomewhere = new Set(runs.flatMap((r) => r.tests.filter((t) => t.status === 'passed').map(key)));
let ok = true;
for (const run of runs) {
  const passed = run.tests.filter((t) => t.status === 'passed').length;
  const failed = run.tests.filter((t) => t.status === 'failed');
  const byNeed = new Map();
  for (const d of run.deferred) {
    const need = d.missing.join('+');
    byNeed.set(need, (byNeed.get(need) ?? 0) + 1);
  }
  const others = runs.filter((r) => r !== run).map((r) => r.name).join(', ') || 'nowhere';
  const needs = [...byNeed].map(([need, n]) => `, ${n} need ${need} (run in ${others})`).join('');
  console.log(`${run.name} kernel ${run.kernel}: ${passed} passed, ${failed.length} failed${needs}`);
  for (const f of failed) console.log(`  failed: ${f.full} (${f.file})`);
  if (failed.length) ok = false;
  for (const d of run.deferred) {
    if (!passedSomewhere.has(key(d))) {
      console.log(`  ran on no kernel: ${d.file} :: ${d.title} (needs ${d.missing.join(', ')})`);
      ok = false;
    }
  }
}
const all = runs.flatMap((r) => r.tests);
console.log(`total: ${all.filter((t) => t.status === 'passed').length} passed, ${all.filter((t) => t.status === 'failed').length} failed`);
process.exit(ok ? 0 : 1);
