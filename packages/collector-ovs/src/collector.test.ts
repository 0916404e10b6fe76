import { CollectorUnavailableError } from '@retis/core';
import ovs from './index';
import { OvsCollector } from './collector';

describe('ovs collector', () => {
  it('is defined with the reference owner id and its two event keys', () => {
    expect(ovs.meta.name).toBe('ovs');
    expect(ovs.owner).toBe(7);
    expect(ovs.knownKernelTypes).toEqual([]);
    expect(ovs.sections.map((s) => s.key)).toEqual(['ovs', 'ovs-detrace']);
  });

  it('cannot run yet, and says why', () => {
    const c = new OvsCollector();
    expect(() => c.canRun()).toThrow(CollectorUnavailableError);
    expect(() => c.canRun()).toThrow('the ovs collector needs kprobes and the openvswitch module');
  });
});
