/**
 * Console text of the `packet` section: a layered, tcpdump-like dissection
 * of the captured bytes, as Retis prints it.
 */
import type { DisplayFormat } from '../../../core/src/events/section';
import { Dissection } from './dissection';
import { dissectEthernet } from './ethernet';

/** One instance serves every call: formatting is synchronous and must not allocate per packet. */
const dissection = new Dissection();

/**
 * `data` is an Ethernet frame (possibly with the all-zero-MAC header the
 * probe writes when the kernel had none). Never throws: what cannot be
 * dissected is reported at the end of the text.
 */
export function formatPacket(data: Uint8Array, fmt: DisplayFormat): string {
  dissection.reset(data, fmt.linkLayer);
  dissectEthernet(dissection, 0, data.length);
  return dissection.finish();
}
