import {
  hookObjectPath, injectable, type CollectContext, type Collector, type CollectorRegistration,
} from '@retis/core';
import { DevFactory } from './decode';

@injectable()
export class DevCollector implements Collector {
  init(_ctx: CollectContext, reg: CollectorRegistration): void {
    reg.registerHook(hookObjectPath(__dirname, 'dev_hook'));
    reg.registerFactory(new DevFactory(reg.owner));
  }
}
