import {
  CollectorUnavailableError, coreTokens, hookObjectPath, inject, injectable, tracepointParams,
  type CollectContext, type Collector, type CollectorRegistration, type Logger,
} from '@retis/core';
import { buildDropReasonTables, SkbDropFactory } from './decode';

export const DROP_PROBE = 'tp:skb:kfree_skb';

@injectable()
export class SkbDropCollector implements Collector {
  constructor(@inject(coreTokens.logger) private readonly log: Logger) {}

  canRun(ctx: CollectContext): void {
    const params = tracepointParams(ctx.kernel.btf, 'kfree_skb');
    if (!params) throw new CollectorUnavailableError('tracepoint skb:kfree_skb does not exist on this kernel');
    if (!params.some((p) => p.type === 'enum skb_drop_reason')) {
      // Drop reasons appeared in 5.17; without them every drop reads as NOT_SPECIFIED.
      this.log.warn("This kernel doesn't provide skb drop reasons");
    }
  }

  init(ctx: CollectContext, reg: CollectorRegistration): void {
    reg.registerProbe(DROP_PROBE);
    reg.registerHook(hookObjectPath(__dirname, 'skb_drop_hook'));
    const warn = (msg: string) => this.log.warn(msg);
    reg.registerFactory(new SkbDropFactory(buildDropReasonTables(ctx.kernel.btf, warn), reg.owner, warn));
  }
}
