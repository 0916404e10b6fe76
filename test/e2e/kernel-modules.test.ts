/**
 * Kernel modules the collectors need where they exist: on a kernel with
 * modules (the VM's Debian kernel), openvswitch loads and brings the
 * tracepoints the ovs collector attaches to.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { describeKernel } from './helpers/kernel';

describeKernel(['openvswitch'], 'the openvswitch module', () => {
  test('modprobe openvswitch loads it, with its BTF and its tracepoints', () => {
    expect(spawnSync('modprobe', ['openvswitch']).status).toBe(0);
    expect(fs.readFileSync('/proc/modules', 'utf8')).toMatch(/^openvswitch /m);
    // The ovs collector resolves its types in the module's BTF.
    expect(fs.existsSync('/sys/kernel/btf/openvswitch')).toBe(true);
    // Its tracepoints, seen in a private tracefs mount (nothing changes on the machine).
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c',
      'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; cat /sys/kernel/tracing/available_events'], { encoding: 'utf8' });
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['openvswitch:ovs_dp_upcall', 'openvswitch:ovs_do_execute_action']));
  });
});
