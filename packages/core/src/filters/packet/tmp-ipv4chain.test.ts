import { bpfNative } from '@retis/bpf-native';
import { compilePacketFilter } from './compile';
import { hostChain } from '../test-support/expression-corpus';
import { PacketHarness } from '../test-support/packet-harness';
jest.setTimeout(600000);
it('ipv4 chain', async () => {
  const h = new PacketHarness(bpfNative);
  await h.setPackets([{ bytes: Buffer.alloc(60), l3Offset: 14 }]);
  for (const n of [700, 740]) {
    let t = Date.now();
    try {
      const b = compilePacketFilter(hostChain(n), (e, l, s, o) => bpfNative.pcapCompile(e, l, s, o));
      const c = Date.now() - t; t = Date.now();
      const l = await h.load(b.l2, b.l3); l.close();
      console.log(`n=${n} l2=${b.l2.length / 8} l3=${b.l3.length / 8} compile ${c} ms load ${Date.now() - t} ms`);
    } catch (e) { console.log(`n=${n}: ${(e as Error).message}`); }
  }
  h.close();
});
