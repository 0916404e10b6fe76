/**
 * Tests that need a kernel feature declare it. On a kernel without the
 * feature such a test is not run: it is recorded as owed to another kernel
 * (RETIS_KERNEL_REPORT/deferred.jsonl), and test/kernels/summary.js fails CI
 * unless it ran and passed on one of the kernels (this machine's or the VM's).
 * A need written `!feature` is for tests of what happens without it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bpfNative, type KernelFeatures } from '@retis/bpf-native';
import { ROOT } from './retis';

/**
 * `netModules`: veth, cfg80211 and mac80211_hwsim (virtual Wi-Fi radios) are
 * loadable modules with their own BTF (/sys/kernel/btf/<module>), as on
 * Debian's kernel; built into vmlinux or missing elsewhere.
 */
type Feature = keyof KernelFeatures | 'openvswitch' | 'netModules';
export type KernelNeed = Feature | `!${Feature}`;

/** The network modules `netModules` is about. */
export const NET_MODULES = ['veth', 'cfg80211', 'mac80211_hwsim'];

function has(feature: Feature): boolean {
  if (feature === 'openvswitch') {
    return spawnSync('modprobe', ['openvswitch'], { stdio: 'ignore' }).status === 0 || fs.existsSync('/sys/module/openvswitch');
  }
  if (feature === 'netModules') {
    // Loading mac80211_hwsim makes radios: the tests that need it load it themselves.
    const loads = (m: string) => spawnSync('modprobe', [m], { stdio: 'ignore' }).status === 0 && fs.existsSync(`/sys/kernel/btf/${m}`);
    return loads('veth') && loads('cfg80211') && spawnSync('modprobe', ['-n', 'mac80211_hwsim'], { stdio: 'ignore' }).status === 0;
  }
  return bpfNative.features()[feature];
}

function satisfied(need: KernelNeed): boolean {
  return need.startsWith('!') ? !has(need.slice(1) as Feature) : has(need as Feature);
}

/**
 * The same answer, found without the code under test: a deferral caused by
 * a broken feature probe would otherwise go unnoticed.
 */
function confirmedIndependently(need: KernelNeed): boolean {
  const negate = need.startsWith('!');
  const feature = (negate ? need.slice(1) : need) as Feature;
  let present: boolean;
  switch (feature) {
    case 'kprobe':
    case 'kretprobe':
      present = fs.existsSync('/sys/bus/event_source/devices/kprobe');
      break;
    case 'fentry':
    case 'fexit': {
      // bpftrace's kfunc probes are fentry programs.
      const r = spawnSync('bpftrace', ['-e', 'kfunc:vmlinux:ip_rcv { exit(); } interval:ms:1 { exit(); }'],
        { encoding: 'utf8', timeout: 120_000 });
      present = r.status === 0;
      break;
    }
    case 'kprobeMulti': {
      // bpftrace makes its own kprobe.multi link to tell (`bpftrace --info`, on stderr).
      const r = spawnSync('bpftrace', ['--info'], { encoding: 'utf8', timeout: 120_000 });
      present = /^\s*kprobe_multi: yes$/m.test(`${r.stdout}${r.stderr}`);
      break;
    }
    case 'netModules': {
      // Shipped as modules by the kernel package.
      let dep = '';
      try {
        dep = fs.readFileSync(`/lib/modules/${os.release()}/modules.dep`, 'utf8');
      } catch {
        // No modules at all.
      }
      present = NET_MODULES.every((m) => new RegExp(`/${m}\\.ko(\\.[a-z]+)?:`, 'm').test(dep));
      break;
    }
    case 'openvswitch':
      // Loadable only where the kernel has modules at all.
      present = fs.existsSync(`/lib/modules/${os.release()}/modules.dep`)
        && spawnSync('modprobe', ['-n', 'openvswitch'], { stdio: 'ignore' }).status === 0;
      break;
    default:
      present = has(feature);
  }
  return negate ? !present : present;
}

/** Where the calling test file lives, relative to the repository. */
function callerFile(): string {
  const stack = new Error().stack ?? '';
  const line = stack.split('\n').find((l) => /\/test\/.*\.test\.ts/.test(l) && !l.includes('helpers/kernel'));
  const m = line && /(\/[^():]*\.test\.ts)/.exec(line);
  return m ? path.relative(ROOT, m[1]) : 'unknown';
}

function record(file: string, title: string, missing: KernelNeed[]): void {
  const dir = process.env.RETIS_KERNEL_REPORT;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, 'deferred.jsonl'), JSON.stringify({ file, title, missing }) + '\n');
}

/** `test(name, fn)` where the kernel has every need; recorded for another kernel otherwise. */
export function kernelTest(needs: KernelNeed[], name: string, fn: jest.ProvidesCallback, timeout?: number): void {
  const missing = needs.filter((n) => !satisfied(n));
  if (missing.length === 0) test(name, fn, timeout);
  else record(callerFile(), name, missing);
}

type Globals = Record<'it' | 'test' | 'describe' | 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach', unknown>;

/**
 * `describe(name, body)` where the kernel has every need. Elsewhere the
 * body's tests are recorded for another kernel, its hooks do not run, and
 * one test checks, by other means, that this kernel really lacks them.
 */
export function describeKernel(needs: KernelNeed[], name: string, body: () => void): void {
  const missing = needs.filter((n) => !satisfied(n));
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const file = callerFile();
  const g = globalThis as unknown as Globals;
  const saved: Globals = { it: g.it, test: g.test, describe: g.describe, beforeAll: g.beforeAll, afterAll: g.afterAll, beforeEach: g.beforeEach, afterEach: g.afterEach };
  const prefix: string[] = [];
  const recordTest = Object.assign((title: string) => record(file, title, missing), {
    // it.each(rows)(title, fn): one test per row, titled as jest titles them.
    each: (rows: unknown[][]) => (title: string) => {
      for (const row of rows) record(file, printfTitle(title, Array.isArray(row) ? row : [row]), missing);
    },
  });
  const noop = () => undefined;
  Object.assign(g, {
    it: recordTest, test: recordTest,
    describe: (inner: string, fn: () => void) => { prefix.push(inner); try { fn(); } finally { prefix.pop(); } },
    beforeAll: noop, afterAll: noop, beforeEach: noop, afterEach: noop,
  });
  try {
    prefix.push(name);
    body();
  } finally {
    Object.assign(g, saved);
  }
  test(`${name}: not run here, this kernel lacks ${missing.join(', ')} (confirmed independently)`, () => {
    for (const need of missing) expect({ need, confirmed: confirmedIndependently(need) }).toEqual({ need, confirmed: false });
  }, 180_000);
}

/** Jest's `%s`/`%j`/`%d`/`%i` title formatting for `each` tables. */
function printfTitle(title: string, args: unknown[]): string {
  let i = 0;
  return title.replace(/%[sjdi%]/g, (m) => {
    if (m === '%%') return '%';
    const v = args[i++];
    return m === '%j' ? JSON.stringify(v) : String(v);
  });
}

/** Time limits scale under emulation (the VM runs about 14 times slower). */
export const SLOWDOWN = process.env.RETIS_VM === '1' ? 10 : 1;
