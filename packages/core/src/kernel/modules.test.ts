/**
 * Where module symbols are looked up: the `[module]` suffix of
 * available_filter_functions, the `[module]` column of kallsyms, and the
 * module BTF files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KernelModules } from './modules';
import { Tracefs } from './tracefs';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-modules-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('available_filter_functions module suffixes', () => {
  function tracefs(text: string): Tracefs {
    fs.writeFileSync(path.join(dir, 'available_filter_functions'), text);
    return new Tracefs([dir]);
  }

  it('lists module functions by name and keeps their module, for a space or a tab', () => {
    const t = tracefs('ip_rcv\nveth_xmit [veth]\novs_dp_upcall\t[openvswitch]\n');
    expect([...t.availableFunctions()!]).toEqual(['ip_rcv', 'veth_xmit', 'ovs_dp_upcall']);
    expect(t.functionModules('veth_xmit')).toEqual(['veth']);
    expect(t.functionModules('ovs_dp_upcall')).toEqual(['openvswitch']);
    expect(t.functionModules('ip_rcv')).toEqual([]);
    expect(t.functionModules('not_listed')).toEqual([]);
  });

  it('keeps every module of a name several modules have, in list order, once each', () => {
    const t = tracefs('serial_show [virtio_blk]\nserial_show [ccp]\nserial_show\nserial_show [virtio_blk]\n');
    expect([...t.availableFunctions()!]).toEqual(['serial_show']);
    expect(t.functionModules('serial_show')).toEqual(['virtio_blk', 'ccp']);
  });

  it('tells the names listed for vmlinux, without a suffix, whichever comes first', () => {
    const t = tracefs('ip_rcv\nserial_show\nserial_show [virtio_blk]\nveth_xmit [veth]\nid_show [snd]\nid_show\n');
    expect(['ip_rcv', 'serial_show', 'id_show', 'veth_xmit', 'not_listed'].map((n) => t.vmlinuxFunction(n)))
      .toEqual([true, true, true, false, false]);
  });

  it('has no modules to give when the list cannot be read', () => {
    const t = new Tracefs([path.join(dir, 'none')]);
    expect(t.availableFunctions()).toBeNull();
    expect(t.functionModules('veth_xmit')).toEqual([]);
    expect(t.vmlinuxFunction('ip_rcv')).toBe(false);
  });
});

describe('KernelModules', () => {
  function modules(files: string[], kallsyms?: string): KernelModules {
    const btfDir = path.join(dir, 'btf');
    fs.mkdirSync(btfDir);
    for (const f of files) fs.writeFileSync(path.join(btfDir, f), '');
    const kallsymsPath = path.join(dir, 'kallsyms');
    if (kallsyms !== undefined) fs.writeFileSync(kallsymsPath, kallsyms);
    return new KernelModules({ btfDir, kallsyms: kallsymsPath });
  }

  it('lists the modules that have BTF, vmlinux apart, sorted', () => {
    const m = modules(['vmlinux', 'veth', 'openvswitch', 'nf_tables']);
    expect(m.hasBtf('veth')).toBe(true);
    expect(m.hasBtf('vmlinux')).toBe(false);
    expect(m.hasBtf('bonding')).toBe(false);
    expect(m.hasBtf('../btf/veth')).toBe(false);
    expect(m.withBtf()).toEqual(['nf_tables', 'openvswitch', 'veth']);
    expect(m.hasBtf('openvswitch')).toBe(true);
  });

  it('lists none where the kernel has no module BTF', () => {
    expect(modules(['vmlinux']).withBtf()).toEqual([]);
    expect(new KernelModules({ btfDir: path.join(dir, 'none'), kallsyms: path.join(dir, 'none') }).withBtf()).toEqual([]);
  });

  it('gives the kallsyms module of a symbol, the first when several have it', () => {
    const m = modules([], [
      'ffffffff81000000 T ip_rcv',
      'ffffffffc0a01000 t veth_xmit\t[veth]',
      'ffffffffc0b02000 d __tracepoint_ovs_dp_upcall\t[openvswitch]',
      'ffffffffc0c00000 t serial_show\t[virtio_blk]',
      'ffffffffc0d00000 t serial_show\t[ccp]',
      '0000000000000000 t zeroed_addr\t[bonding]',
      '',
    ].join('\n'));
    expect(m.symbolModule('veth_xmit')).toBe('veth');
    expect(m.symbolModule('__tracepoint_ovs_dp_upcall')).toBe('openvswitch');
    expect(m.symbolModule('serial_show')).toBe('virtio_blk');
    // Addresses hidden by kptr_restrict: names and modules are still there.
    expect(m.symbolModule('zeroed_addr')).toBe('bonding');
    expect(m.symbolModule('ip_rcv')).toBeUndefined();
    expect(m.symbolModule('no_such_symbol')).toBeUndefined();
  });

  it('says null when kallsyms cannot be read', () => {
    expect(modules([]).symbolModule('veth_xmit')).toBeNull();
  });
});
