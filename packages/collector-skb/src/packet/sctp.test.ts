import { be16, be32, ethernet, ETH_IPV4, ETH_IPV6, ipv4, ipv6, sctp, sctpChunk } from './test-support/frames';
import { print, TRUNCATED } from './test-support/print';

const ports = { sport: 36412, dport: 38412 };

function overIpv4(vtag: number, ...chunks: number[][]): Buffer {
  return ethernet({ type: ETH_IPV4 }, ipv4({ src: '10.9.0.1', dst: '10.9.0.2', proto: 132 }, sctp({ ...ports, vtag }, ...chunks)));
}

/** The SCTP part only: what follows ` proto SCTP (132)`. */
function sctpText(data: Buffer): string {
  const text = print(data);
  return text.slice(text.indexOf(' proto SCTP (132)') + ' proto SCTP (132)'.length);
}

const init = (type: number) =>
  sctpChunk(type, 0, [...be32(0xcafe0001), ...be32(106496), ...be16(10), ...be16(65535), ...be32(3000000000)]);

describe('SCTP', () => {
  it('prints ports on the IP line and the verification tag', () => {
    expect(print(overIpv4(0, init(1)))).toBe(
      '10.9.0.1.36412 > 10.9.0.2.38412 tos 0x0 ttl 64 id 1 off 0 len 52 proto SCTP (132) vtag 0x0' +
        ' [INIT init_tag 0xcafe0001 rwnd 106496 OS 10 MIS 65535 init_TSN 3000000000]',
    );
  });

  it('prints INIT ACK like INIT', () => {
    expect(sctpText(overIpv4(0xcafe0001, init(2)))).toBe(
      ' vtag 0xcafe0001 [INIT ACK init_tag 0xcafe0001 rwnd 106496 OS 10 MIS 65535 init_TSN 3000000000]',
    );
  });

  it.each([
    [0x03, ' (BE)'], [0x07, ' (UBE)'], [0x04, ' (U)'], [0x02, ' (B)'], [0x01, ' (E)'], [0x00, ''],
  ])('prints DATA with flags %#x', (flags, text) => {
    const data = sctpChunk(0, flags, [...be32(42), ...be16(3), ...be16(7), ...be32(0x12345678), 0x68, 0x69]);
    expect(sctpText(overIpv4(1, data))).toBe(` vtag 0x1 [DATA${text} TSN 42 SID 3 SSEQ 7 PPID 0x12345678]`);
  });

  it('prints SACK counters', () => {
    const sack = sctpChunk(3, 0, [...be32(41), ...be32(200000), ...be16(2), ...be16(1), ...be32(0x00020003), ...be32(0x00050006), ...be32(40)]);
    expect(sctpText(overIpv4(1, sack))).toBe(' vtag 0x1 [SACK cum_ack 41 a_rwnd 200000 #gap_acks 2 #dup_tsns 1]');
  });

  it.each([
    [4, 'HEARTBEAT'], [5, 'HEARTBEAT_ACK'], [6, 'ABORT'], [7, 'SHUTDOWN'], [8, 'SHUTDOWN_ACK'], [9, 'ERROR'],
    [10, 'COOKIE_ECHO'], [11, 'COOKIE_ACK'], [12, 'ECNE'], [13, 'CWR'], [14, 'SHUTDOWN_COMPLETE'],
  ])('names chunk %i %s without fields', (type, name) => {
    expect(sctpText(overIpv4(1, sctpChunk(type, 0, [1, 2, 3, 4])))).toBe(` vtag 0x1 [${name}]`);
  });

  it('prints an unknown chunk type by number', () => {
    expect(sctpText(overIpv4(1, sctpChunk(192, 0, [1, 2])))).toBe(' vtag 0x1 [UNKNOWN:192]');
  });

  it('prints every chunk of a bundle, skipping padding', () => {
    const data = sctpChunk(0, 0x03, [...be32(1), ...be16(0), ...be16(0), ...be32(0), 0x61]);
    expect(sctpText(overIpv4(5, sctpChunk(11, 0), data, sctpChunk(4, 0, [0, 1, 0, 5, 9])))).toBe(
      ' vtag 0x5 [COOKIE_ACK] [DATA (BE) TSN 1 SID 0 SSEQ 0 PPID 0x0] [HEARTBEAT]',
    );
  });

  it('prints only the chunk header when there is no chunk', () => {
    expect(sctpText(overIpv4(5))).toBe(' vtag 0x5');
  });

  it.each([
    [20, ' [INIT init_tag 0xcafe0001 rwnd 106496 OS 10 MIS 65535 init_TSN 3000000000]'],
    [19, ' [INIT init_tag 0xcafe0001 rwnd 106496 OS 10 MIS 65535]'],
    [16, ' [INIT init_tag 0xcafe0001 rwnd 106496 OS 10 MIS 65535]'],
    [15, ' [INIT init_tag 0xcafe0001 rwnd 106496 OS 10]'],
    [13, ' [INIT init_tag 0xcafe0001 rwnd 106496]'],
    [11, ' [INIT init_tag 0xcafe0001]'],
    [7, ' [INIT]'],
    [4, ' [INIT]'],
    [3, ''],
  ])('leaves out the fields of a chunk captured up to byte %i', (kept, chunkText) => {
    const packet = overIpv4(0, init(1));
    const chunkStart = 14 + 20 + 12;
    expect(sctpText(packet.subarray(0, chunkStart + kept))).toBe(` vtag 0x0${chunkText}`);
  });

  it.each([
    [15, ' TSN 42 SID 3 SSEQ 7'],
    [11, ' TSN 42 SID 3'],
    [9, ' TSN 42'],
    [7, ''],
  ])('leaves out the DATA fields not captured up to byte %i', (kept, fields) => {
    const data = sctpChunk(0, 0x03, [...be32(42), ...be16(3), ...be16(7), ...be32(0x12345678)]);
    const packet = overIpv4(1, data);
    expect(sctpText(packet.subarray(0, 14 + 20 + 12 + kept))).toBe(` vtag 0x1 [DATA (BE)${fields}]`);
  });

  it.each([
    [15, ' cum_ack 41 a_rwnd 200000 #gap_acks 2'],
    [13, ' cum_ack 41 a_rwnd 200000'],
    [8, ' cum_ack 41'],
  ])('leaves out the SACK fields not captured up to byte %i', (kept, fields) => {
    const sack = sctpChunk(3, 0, [...be32(41), ...be32(200000), ...be16(2), ...be16(1)]);
    expect(sctpText(overIpv4(1, sack).subarray(0, 14 + 20 + 12 + kept))).toBe(` vtag 0x1 [SACK${fields}]`);
  });

  it('dissects SCTP over IPv6 with ports', () => {
    const data = ethernet({ type: ETH_IPV6 }, ipv6({ src: 'fd00::a', dst: 'fd00::b', nextHeader: 132 }, sctp({ ...ports, vtag: 9 }, sctpChunk(7, 0, be32(10)))));
    expect(print(data)).toBe('fd00::a.36412 > fd00::b.38412 ttl 64 label 0x0 len 20 proto SCTP (132) vtag 0x9 [SHUTDOWN]');
  });

  it('reports a common header shorter than 12 bytes, without ports', () => {
    const packet = overIpv4(0, init(1));
    expect(print(packet.subarray(0, 14 + 20 + 11))).toBe(
      `10.9.0.1 > 10.9.0.2 tos 0x0 ttl 64 id 1 off 0 len 52 proto SCTP (132)${TRUNCATED}`,
    );
  });
});
