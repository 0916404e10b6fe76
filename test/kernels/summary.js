#!/usr/bin/env node
/*
 * Summary of the end-to-end suite across kernels. Each kernel's run left, in
 * its report directory, jest's JSON results (results.json) and the tests it
 * could not run for lack of a kernel feature (deferred.jsonl). Prints one
 * line per kernel and fails when a test failed, when a run left no results
 * (the VM could not boot, the kernel could not be fetched), or when a
 * deferred test did not pass on any kernel.
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
  const resultsFile = path.join(dir, 'results.json');
  const complete = fs.existsSync(resultsFile);
  const results = complete ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : { testResults: [] };
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
  return { name, dir, complete, kernel, tests, deferred };
});

const key = (t) => `${t.file} :: ${t.title}`;
const passedIn = new Map();
for (const r of runs) {
  for (const t of r.tests.filter((x) => x.status === 'passed')) passedIn.set(key(t), [...(passedIn.get(key(t)) ?? []), r.name]);
}
const passedSomewhere = new Set(passedIn.keys());
let ok = true;
for (const run of runs) {
  if (!run.complete) {
    console.log(`${run.name}: no results in ${run.dir} (the run did not complete)`);
    ok = false;
    continue;
  }
  const passed = run.tests.filter((t) => t.status === 'passed').length;
  const failed = run.tests.filter((t) => t.status === 'failed');
  // Deferred tests by missing feature, with the runs they passed in.
  const byNeed = new Map();
  for (const d of run.deferred) {
    const need = d.missing.join('+');
    const entry = byNeed.get(need) ?? { n: 0, where: new Set() };
    entry.n++;
    for (const name of passedIn.get(key(d)) ?? []) entry.where.add(name);
    byNeed.set(need, entry);
  }
  const needs = [...byNeed].map(([need, { n, where }]) => `, ${n} need ${need} (passed in ${[...where].join(', ') || 'no run'})`).join('');
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
