import { existsSync } from 'fs';
import { type CollectContext, type CollectorRegistration, ConsoleLogger, readObjectBtf, type SectionFactory } from '@retis/core';
import ct from './index';
import { CtCollector } from './collector';

describe('ct collector', () => {
  it('is defined with the reference owner id and known type', () => {
    expect(ct.meta.name).toBe('ct');
    expect(ct.owner).toBe(9);
    expect(ct.knownKernelTypes).toEqual(['struct sk_buff *']);
    expect(ct.sections.map((s) => s.key)).toEqual(['ct']);
  });

  it('runs on this machine and registers its hook and decoder', () => {
    const logged: string[] = [];
    const log = new ConsoleLogger('debug', { write: (t: string) => logged.push(t) });
    const ctx = { options: {}, kernel: { btf: readObjectBtf('/sys/kernel/btf/vmlinux') }, log } as unknown as CollectContext;
    const collector = new CtCollector(log);
    expect(() => collector.canRun(ctx)).not.toThrow();
    // This machine's kernel has conntrack built in, and its config says so.
    expect(logged.join('')).toContain('ct: connection tracking available (CONFIG_NF_CONNTRACK=y)');
    const hooks: string[] = [];
    const factories: SectionFactory[] = [];
    const reg = {
      owner: 9,
      registerHook: (p: string) => hooks.push(p),
      registerProbe: () => {
        throw new Error('ct needs no probe of its own');
      },
      setMapValue: () => {},
      registerFactory: (f: SectionFactory) => factories.push(f),
    } satisfies CollectorRegistration;
    collector.init(ctx, reg);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatch(/collector-ct\/dist\/ct_hook\.bpf\.o$/);
    expect(existsSync(hooks[0])).toBe(true);
    expect(factories.map((f) => f.owner)).toEqual([9]);
  });
});
