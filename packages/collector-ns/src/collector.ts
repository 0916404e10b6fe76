import {
  hookObjectPath, injectable, type CollectContext, type Collector, type CollectorRegistration,
} from '@retis/core';
import { NsFactory } from './decode';

@injectable()
export class NsCollector implements Collector {
  init(ctx: CollectContext, reg: CollectorRegistration): void {
    reg.registerHook(hookObjectPath(__dirname, 'ns_hook'));
    reg.registerFactory(new NsFactory({ owner: reg.owner, hasCookie: netHasCookie(ctx) }));
  }
}

/** `struct net` has `net_cookie` on recent kernels; without it no cookie is reported. */
function netHasCookie(ctx: CollectContext): boolean {
  const btf = ctx.kernel.btf;
  const id = btf.findByName('net', 'struct');
  return id >= 0 && (btf.type(id).members ?? []).some((m) => m.name === 'net_cookie');
}
