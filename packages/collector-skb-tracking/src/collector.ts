import {
  hookObjectPath, injectable, type CollectContext, type Collector, type CollectorRegistration,
} from '@retis/core';
import { SkbTrackingFactory } from './decode';

/** Reports the identity core tracking gave each skb (tracking itself is core's). */
@injectable()
export class SkbTrackingCollector implements Collector {
  init(_ctx: CollectContext, reg: CollectorRegistration): void {
    reg.registerHook(hookObjectPath(__dirname, 'skb_tracking_hook'));
    reg.registerFactory(new SkbTrackingFactory(reg.owner));
  }
}
