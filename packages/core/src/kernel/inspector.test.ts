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
import { BpfError, type Btf, type ModuleBtfSource } from '@retis/bpf-native';
import { FakeBtf } from './test-support/fake-btf';
import type { ModuleSource } from './modules';
import { parseProbeSpec } from '../probe/spec';
import type { Logger } from '../log';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/retis-1.7');
const lines = (file: string) => fs.readFileSync(path.join(FIXTURES, file), 'utf8').split('\n').filter(Boolean);

// Function names as the list gives them, module suffix (`\t[mod]` or ` [mod]`) cut by hand.
const listed = lines('available_filter_functions').map((l) => {
  const [name, suffix] = l.split(/\s+/);
  return { name, module: suffix ? suffix.slice(1, -1) : undefined };
});
const listedFunctions = [...new Set(listed.map((f) => f.name))];
const hasBtf = (f: string) => !f.includes('.') && !f.startsWith('__ftrace_invalid_address');
const withBtf = listedFunctions.filter(hasBtf);
const vmlinuxFunctions = [...new Set(listed.filter((f) => !f.module && hasBtf(f.name)).map((f) => f.name))];
const moduleFunctions = new Map<string, string[]>();
for (const f of listed) {
  if (f.module && hasBtf(f.name)) moduleFunctions.set(f.module, [...(moduleFunctions.get(f.module) ?? []), f.name]);
}
const events = lines('available_events');
// The openvswitch module's tracepoints are in its BTF, every other one in vmlinux's.
const moduleEvents = (module: string) => events.filter((e) => e.startsWith(`${module}:`)).map((e) => e.split(':')[1]);

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

const SKB = [{ name: 'skb', type: 'struct sk_buff *' }];
const proto = { params: SKB, returns: 'int' };

/** Modules as the inspector sees them, with the sources it read counted. */
class FakeModules implements ModuleSource {
  listings = 0;
  constructor(readonly btf: string[], private readonly kallsyms: Record<string, string> | null = {}) {}
  withBtf(): string[] {
    this.listings++;
    return [...this.btf].sort();
  }
  hasBtf(module: string): boolean {
    return this.btf.includes(module);
  }
  symbolModule(symbol: string): string | undefined | null {
    return this.kallsyms === null ? null : this.kallsyms[symbol];
  }
}

// Built once: tens of thousands of functions.
let sharedBtf: FakeBtf | undefined;

function inspector(opts: {
  tracefs?: boolean;
  extraTracepoints?: string[];
  /** Every listed function in vmlinux's BTF, module ones too (no module BTF then). */
  flat?: boolean;
  /** Module BTFs: by default the fixture's modules, each with its own listed functions. */
  moduleBtfs?: Record<string, { functions?: string[]; tracepoints?: string[] }>;
  kallsyms?: Record<string, string> | null;
} = {}) {
  const build = () => new FakeBtf({
    functions: Object.fromEntries((opts.flat ? withBtf : vmlinuxFunctions).map((f) => [f, proto])),
    tracepoints: Object.fromEntries(
      [...events.filter((e) => opts.flat || !e.startsWith('openvswitch:')).map((e) => e.split(':')[1]), ...(opts.extraTracepoints ?? [])]
        .map((e) => [e, { params: SKB }]),
    ),
  });
  const vmlinux = opts.extraTracepoints || opts.flat ? build() : (sharedBtf ??= build());
  vmlinux.lookups = 0;
  const moduleSpecs = opts.moduleBtfs ?? Object.fromEntries([...moduleFunctions].map(([m, functions]) => [m, { functions, tracepoints: moduleEvents(m) }]));
  const loaded: string[] = [];
  const moduleFakes = new Map<string, FakeBtf>();
  const native = {
    loadBtf: (source?: string | ModuleBtfSource): Btf => {
      if (typeof source !== 'object') return vmlinux;
      // The module's BTF goes over the inspector's vmlinux BTF, never a second one.
      expect(source.base).toBe(vmlinux);
      loaded.push(source.module);
      const spec = moduleSpecs[source.module];
      if (!spec) throw BpfError.of('ENOENT', 'btf__load_module_btf', `cannot load the BTF of module '${source.module}': No such file or directory`);
      const fake = new FakeBtf({
        base: vmlinux,
        functions: Object.fromEntries((spec.functions ?? []).map((f) => [f, { params: [{ name: 'dev', type: 'struct net_device *' }, ...SKB], returns: 'long' }])),
        tracepoints: Object.fromEntries((spec.tracepoints ?? []).map((e) => [e, { params: SKB }])),
      });
      moduleFakes.set(source.module, fake);
      return fake;
    },
  };
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-notracefs-'));
  const log = quietLog();
  const modules = new FakeModules(Object.keys(moduleSpecs), opts.kallsyms);
  const kernel = new KernelInspector(native, log, new Tracefs([opts.tracefs === false ? empty : FIXTURES]), modules);
  return { kernel, btf: vmlinux, log, loaded, moduleFakes, modules, cleanup: () => fs.rmSync(empty, { recursive: true, force: true }) };
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
    // 140 of vmlinux, looked up in its BTF; 13 of modules, looked up in
    // theirs only: the 10 of sunrpc by name (a lookup in a module's BTF
    // walks vmlinux's first), the others through their module's index.
    expect(btf.lookups).toBe(140 + 10);
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

describe('functions and tracepoints of kernel modules', () => {
  it('takes a module function\'s prototype from the BTF of the module tracefs names', () => {
    const { kernel, btf, loaded, modules, cleanup } = inspector();
    const [probe] = kernel.resolve(parseProbeSpec('fexit:ovs_dp_upcall'));
    cleanup();
    expect(probe).toEqual({
      kind: 'fexit',
      symbol: 'ovs_dp_upcall',
      attachName: 'ovs_dp_upcall',
      module: 'openvswitch',
      params: [{ name: 'dev', type: 'struct net_device *' }, { name: 'skb', type: 'struct sk_buff *' }],
      returnType: { kind: 'int', size: 8, signed: true, name: 'long' },
      stack: false,
    });
    // That module's BTF only, and the list of modules never read; tracefs
    // lists the function for openvswitch only: vmlinux's BTF is not searched.
    expect(loaded).toEqual(['openvswitch']);
    expect(modules.listings).toBe(0);
    expect(btf.lookups).toBe(0);
  });

  it('loads each module\'s BTF once for a wildcard, and only those of matching modules', () => {
    const { kernel, loaded, cleanup } = inspector();
    const probes = kernel.resolve(parseProbeSpec('kprobe:ovs_*'));
    const ipv4 = kernel.resolve(parseProbeSpec('kprobe:ip_map_*'));
    cleanup();
    // `grep -c '^ovs_.*\[openvswitch\]'`: 143 listed, 4 of them compiler clones.
    expect(probes).toHaveLength(139);
    expect(probes.every((p) => p.module === 'openvswitch')).toBe(true);
    expect(ipv4.map((p) => p.module)).toEqual(ipv4.map(() => 'sunrpc'));
    expect(loaded).toEqual(['openvswitch', 'sunrpc']);
  });

  it('prefers vmlinux\'s BTF: a vmlinux function loads no module BTF', () => {
    const { kernel, loaded, cleanup } = inspector();
    const [probe] = kernel.resolve(parseProbeSpec('kprobe:ip_rcv'));
    cleanup();
    expect(probe.module).toBeUndefined();
    expect(probe.params).toEqual(SKB);
    expect(loaded).toEqual([]);
  });

  it('a name tracefs lists for vmlinux and for a module is vmlinux\'s when its BTF has it', () => {
    const { kernel, loaded, cleanup } = inspector();
    // `serial_show` and `serial_show [virtio_blk]` are both listed.
    const [probe] = kernel.resolve(parseProbeSpec('kprobe:serial_show'));
    cleanup();
    expect(probe.module).toBeUndefined();
    expect(loaded).toEqual([]);
  });

  it('looks a few names up in a large module BTF, and indexes it for more', () => {
    const { kernel, moduleFakes, cleanup } = inspector();
    // sunrpc: 930 listed functions, more own types than it is worth indexing for a few.
    expect(kernel.resolve(parseProbeSpec('kprobe:ip_map_*'))).toHaveLength(10);
    const sunrpc = moduleFakes.get('sunrpc')!;
    expect(sunrpc.typeCount - sharedBtf!.typeCount).toBeGreaterThan(1000);
    expect(sunrpc.lookups).toBe(10);
    // 16 lookups by name at most, then the index answers.
    expect(kernel.resolve(parseProbeSpec('kprobe:svc_*')).length).toBeGreaterThan(100);
    expect(sunrpc.lookups).toBe(16);
    cleanup();
  });

  it('a module without BTF: the reference\'s error, its BTF tried once', () => {
    const { kernel, log, loaded, cleanup } = inspector({ moduleBtfs: { openvswitch: { functions: ['ovs_dp_upcall'] } } });
    expect(() => kernel.resolve(parseProbeSpec('kprobe:xfs_trans_commit'))).toThrow("Could not find a traceable function matching 'xfs_trans_commit'");
    expect(() => kernel.resolve(parseProbeSpec('kprobe:xfs_trans_*'))).toThrow("Could not find a traceable function matching 'xfs_trans_*'");
    cleanup();
    expect(loaded).toEqual(['xfs']);
    expect(log.debugs).toContain("No BTF for module xfs: cannot load the BTF of module 'xfs': No such file or directory");
    expect(log.debugs).toContain('xfs_trans_commit is not supported (no corresponding BTF definition)');
  });

  it('a function tracefs lists for a module whose BTF lacks it is not supported', () => {
    const { kernel, log, cleanup } = inspector({ moduleBtfs: { openvswitch: { functions: ['ovs_dp_upcall'] } } });
    expect(kernel.resolve(parseProbeSpec('kprobe:ovs_dp_*')).map((p) => p.symbol)).toEqual(['ovs_dp_upcall']);
    cleanup();
    expect(log.debugs).toContain('ovs_dp_process_packet is not supported (no corresponding BTF definition)');
  });

  it('takes a module tracepoint from the BTF of the module named like its group', () => {
    const { kernel, loaded, cleanup } = inspector();
    const probes = kernel.resolve(parseProbeSpec('tp:openvswitch:*'));
    cleanup();
    expect(probes.map((p) => [p.symbol, p.attachName, p.module])).toEqual([
      ['openvswitch:ovs_do_execute_action', 'ovs_do_execute_action', 'openvswitch'],
      ['openvswitch:ovs_dp_upcall', 'ovs_dp_upcall', 'openvswitch'],
    ]);
    // btf_trace_<event>'s first parameter (void *__data) is not the tracepoint's.
    expect(probes[1].params).toEqual(SKB);
    expect(loaded).toEqual(['openvswitch']);
  });

  it('finds a module tracepoint whose group is no module through kallsyms\' __tracepoint_<event>', () => {
    // Without tracefs, as `inspect` lists tracepoints then: the group is unknown.
    const { kernel, loaded, cleanup } = inspector({
      tracefs: false,
      moduleBtfs: { sunrpc: { tracepoints: ['made_up_event'] } },
      kallsyms: { __tracepoint_made_up_event: 'sunrpc' },
    });
    const [probe] = kernel.resolve(parseProbeSpec('tp:*:made_up_event'));
    cleanup();
    expect(probe).toMatchObject({ symbol: '*:made_up_event', attachName: 'made_up_event', module: 'sunrpc', params: SKB });
    expect(loaded).toEqual(['sunrpc']);
  });

  describe('without tracefs', () => {
    it('finds a module function through the [module] column of kallsyms', () => {
      const { kernel, loaded, modules, cleanup } = inspector({ tracefs: false, kallsyms: { ovs_dp_upcall: 'openvswitch' } });
      expect(kernel.resolve(parseProbeSpec('kprobe:ovs_dp_upcall'))[0].module).toBe('openvswitch');
      // kallsyms tells of no module: nothing else is tried.
      expect(() => kernel.resolve(parseProbeSpec('kprobe:no_such_function'))).toThrow("Could not find a traceable function matching 'no_such_function'");
      cleanup();
      expect(loaded).toEqual(['openvswitch']);
      expect(modules.listings).toBe(0);
    });

    it('tries the module BTFs one by one when kallsyms cannot be read, stopping at the first that has it', () => {
      const moduleBtfs = { bonding: { functions: ['bond_xmit'] }, openvswitch: { functions: ['ovs_dp_upcall'] }, veth: { functions: ['veth_xmit'] } };
      const { kernel, loaded, cleanup } = inspector({ tracefs: false, kallsyms: null, moduleBtfs });
      expect(kernel.resolve(parseProbeSpec('kprobe:ovs_dp_upcall'))[0].module).toBe('openvswitch');
      expect(loaded).toEqual(['bonding', 'openvswitch']);
      expect(() => kernel.resolve(parseProbeSpec('kprobe:no_such_function'))).toThrow("Could not find a traceable function matching 'no_such_function'");
      cleanup();
      // Every module's BTF, each loaded once over the whole run.
      expect(loaded).toEqual(['bonding', 'openvswitch', 'veth']);
    });
  });
});
