import {
  coreTokens, hookObjectPath, inject, injectable, u32Bytes, u64Bytes,
  type CollectContext, type Collector, type CollectorRegistration, type Logger,
} from '@retis/core';
import { SkbFactory } from './decode';
import { SKB_SECTIONS_FLAG, skbSectionsMask } from './options';

@injectable()
export class SkbCollector implements Collector {
  constructor(@inject(coreTokens.logger) private readonly log: Logger) {}

  init(ctx: CollectContext, reg: CollectorRegistration): void {
    const values = (ctx.options[SKB_SECTIONS_FLAG] as string[] | undefined) ?? [];
    reg.registerHook(hookObjectPath(__dirname, 'skb_hook'));
    reg.setMapValue('skb_config_map', u32Bytes(0), u64Bytes(skbSectionsMask(values, this.log)));
    reg.registerFactory(new SkbFactory(reg.owner));
  }
}
