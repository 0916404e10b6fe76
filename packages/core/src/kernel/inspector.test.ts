/**
 * Probe resolution against the tracefs lists of a kernel that has kprobes
 * (Fedora 6.3, written by the reference's test setup), with a BTF made up
 * for the test: every listed function without a compiler suffix has one.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KernelInspector } from './inspector';
import { Tracefs } from './tracefs';
import { FakeBtf } from './test-support/fake-btf';
import { parseProbeSpec } from '../probe/spec';
import type { Logger } from '../log';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/retis-1.7');
const lines = (file: string) => fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('\n').filter(Boolean);

// Function names as the list gives them, module suffix (`\t[mod]` or ` [mod]`) cut by hand.
const listedFunctions = [...new Set(lines('available_filter_functions').map((l) => l.split(/\s/)[0]))];
const withBtf = listedFunctions.filter((f) => !f.includes('.') && !f.startsWith('__ftrace_invalid_address'));
const events = lines('available_events');

function quietLog(): Logger & { debugs: string[] } {
  const debugs: string[] = [];
  return {
    debugs,
    error: () => {}, warn: () => {}, info: () => {},
    debug: (m: string) => debugs.push(m),
    trace: () => {},
    enabled: () => true,
  } as unknown as Logger & { debugs: string[] };
}

// Built once: tens of thousands of functions.
let sharedBtf: FakeBtf | undefined;
const SKB = [{ name: 'skb', type: 'struct sk_buff *' }];

function inspector(opts: { tracefs?: boolean; extraTracepoints?: string[] } = {}) {
  const build = () => new FakeBtf({
    functions: Object.fromEntries(withBtf.map((f) => [f, { params: SKB, returns: 'int' }])),
    tracepoints: Object.fromEntries(
      [...events.map((e) => e.split(':')[1]), ...(opts.extraTracepoints ?? [])].map((e) => [e, { params: SKB }]),
    ),
  });
  const btf = opts.extraTracepoints ? build() : (sharedBtf ??= build());
  btf.lookups = 0;
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-notracefs-'));
  const log = quietLog();
  const kernel = new KernelInspector({ loadBtf: () => btf }, log, new Tracefs([opts.tracefs === false ? empty : FIXTURES]));
  return { kernel, btf, log, cleanup: () => fs.rmSync(empty, { recursive: true, force: true }) };
}

const names = (kernel: KernelInspector, spec: string) => kernel.resolve(parseProbeSpec(spec)).map((p) => p.symbol);

describe('wildcards against a kprobe-capable kernel\'s tracefs lists', () => {
  it('expands kprobe:tcp_v4_* to the listed functions that have BTF, sorted', () => {
    const { kernel, cleanup } = inspector();
    const got = names(kernel, 'kprobe:tcp_v4_*');
    cleanup();
    // 28 listed tcp_v4_ names (grep -c '^tcp_v4_'), one of them a clone without BTF.
    expect(got).toHaveLength(27);
    expect(got).toContain('tcp_v4_rcv');
    expect(got).toContain('tcp_v4_connect');
    expect(got).not.toContain('tcp_v4_md5_hash_hdr.isra.0');
    expect([...got].sort()).toEqual(got);
    expect(got.every((n) => n.startsWith('tcp_v4_'))).toBe(true);
  });

  it('matches module functions by their name alone', () => {
    const { kernel, cleanup } = inspector();
    const got = names(kernel, 'kretprobe:ovs_dp_*');
    cleanup();
    expect(got).toContain('ovs_dp_upcall');
    expect(got).toContain('ovs_dp_process_packet');
    expect(got.some((n) => n.includes('['))).toBe(false);
  });

  it('expands tp:net:* to the 16 net events', () => {
    const { kernel, cleanup } = inspector();
    const probes = kernel.resolve(parseProbeSpec('tp:net:*'));
    cleanup();
    expect(probes).toHaveLength(16);
    const rx = probes.find((p) => p.symbol === 'net:netif_receive_skb');
    expect(rx).toMatchObject({ kind: 'raw_tracepoint', attachName: 'netif_receive_skb', params: [{ name: 'skb', type: 'struct sk_buff *' }] });
  });

  it('a wildcard in the middle matches any run of characters, including none', () => {
    const { kernel, cleanup } = inspector();
    const got = names(kernel, 'ip_rcv*');
    cleanup();
    expect(got).toEqual(['ip_rcv', 'ip_rcv_core', 'ip_rcv_finish']);
  });

  it('escapes other regex metacharacters, unlike the reference', () => {
    const { kernel, cleanup } = inspector();
    // The reference's regex reads `.` as any character and would match ip_rcv here.
    expect(() => names(kernel, 'ip.rcv')).toThrow("Could not find a traceable function matching 'ip.rcv'");
    expect(() => names(kernel, 'tp:net:netif_rx.*')).toThrow("Could not find a tracepoint matching 'net:netif_rx.*'");
    cleanup();
  });

  it('resolves a hundred names with one BTF lookup per listed name', () => {
    const { kernel, btf, cleanup } = inspector();
    const got = names(kernel, 'ip_*');
    cleanup();
    // 153 listed ip_ names (grep -c '^ip_'), 10 of them compiler clones.
    expect(got).toHaveLength(143);
    expect(btf.lookups).toBe(153);
  });

  it('resolves hundreds of names through one BTF index instead', () => {
    const { kernel, btf, cleanup } = inspector();
    const got = names(kernel, 'tcp_*');
    cleanup();
    // 377 listed tcp_ names (grep -c '^tcp_'), 10 of them compiler clones.
    expect(got).toHaveLength(367);
    expect(got).toContain('tcp_v4_rcv');
    expect(btf.lookups).toBe(0);
  });

  it('reports the BTF return type of functions', () => {
    const { kernel, cleanup } = inspector();
    const [probe] = kernel.resolve(parseProbeSpec('fexit:ip_rcv'));
    cleanup();
    expect(probe.returnType).toEqual({ kind: 'int', size: 4, signed: true, name: 'int' });
  });
});

describe('resolution errors (reference §7.1-7.2)', () => {
  it.each([
    ['kprobe:no_such_function', "Could not find a traceable function matching 'no_such_function'"],
    ['kprobe:nothing_*_matches', "Could not find a traceable function matching 'nothing_*_matches'"],
    ['tp:net:no_such_event', "Could not find a tracepoint matching 'net:no_such_event'"],
    // Listed, but without BTF: not supported.
    ['k:tcp_v4_md5_hash_hdr.isra.0', "Could not find a traceable function matching 'tcp_v4_md5_hash_hdr.isra.0'"],
  ])('%s', (spec, message) => {
    const { kernel, cleanup } = inspector();
    expect(() => kernel.resolve(parseProbeSpec(spec))).toThrow(message);
    cleanup();
  });

  it('says why a match was dropped at debug level', () => {
    const { kernel, log, cleanup } = inspector();
    expect(() => names(kernel, 'k:tcp_v4_md5_hash_hdr.isra.0')).toThrow();
    cleanup();
    expect(log.debugs).toContain('tcp_v4_md5_hash_hdr.isra.0 is not supported (no corresponding BTF definition)');
  });

  it('a tracepoint BTF knows but tracefs does not list is not traceable', () => {
    const { kernel, log, cleanup } = inspector({ extraTracepoints: ['made_up_event'] });
    expect(() => names(kernel, 'tp:net:made_up_event')).toThrow("Could not find a tracepoint matching 'net:made_up_event'");
    cleanup();
    expect(log.debugs).toContain("Symbol net:made_up_event does not exist or isn't traceable");
  });
});

describe('without tracefs', () => {
  it('refuses wildcards with the reference\'s message', () => {
    const { kernel, cleanup } = inspector({ tracefs: false });
    expect(() => names(kernel, 'kprobe:tcp_v4_*')).toThrow("Could not get matching functions as Retis can't access files in tracefs");
    expect(() => names(kernel, 'tp:net:*')).toThrow("Could not get matching tracepoints as Retis can't access files in tracefs");
    cleanup();
  });

  it('resolves exact names through BTF alone', () => {
    const { kernel, cleanup } = inspector({ tracefs: false, extraTracepoints: ['made_up_event'] });
    expect(names(kernel, 'kprobe:tcp_v4_rcv')).toEqual(['tcp_v4_rcv']);
    // The group cannot be checked: only the event name matters to attach.
    expect(names(kernel, 'tp:anything:made_up_event')).toEqual(['anything:made_up_event']);
    expect(names(kernel, 'tp:*:made_up_event')).toEqual(['*:made_up_event']);
    expect(() => names(kernel, 'tp:*:made_*')).toThrow("Could not get matching tracepoints as Retis can't access files in tracefs");
    expect(kernel.btfTracepointEvents()).toContain('made_up_event');
    cleanup();
  });
});
