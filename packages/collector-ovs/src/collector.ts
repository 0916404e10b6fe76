import { CollectorUnavailableError, injectable, type Collector } from '@retis/core';

export const OVS_UNAVAILABLE = 'the ovs collector needs kprobes and the openvswitch module';

/**
 * Event collection is not written yet: its probes are kprobes and the
 * openvswitch tracepoints, which need a kernel with kprobes and the
 * openvswitch module (the test VM). Until then `-c auto` skips it and
 * `-c ovs` says why.
 */
@injectable()
export class OvsCollector implements Collector {
  canRun(): never {
    throw new CollectorUnavailableError(OVS_UNAVAILABLE);
  }

  init(): void {
    // Never reached: canRun always refuses.
  }
}
