import {
  customBlock, customUtf8Option, encodeOptions, enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock, utf8Option,
} from './pcapng-blocks';
import { readPcapngBlocks } from './pcapng-reader.testutil';

describe('pcap-ng block encoding', () => {
  it('writes the section header Retis writes (28 bytes, no option)', () => {
    expect(sectionHeaderBlock().toString('hex')).toBe(
      '0a0d0d0a' + '1c000000' + '4d3c2b1a' + '0100' + '0000' + 'ffffffffffffffff' + '1c000000',
    );
  });

  it('pads option values to 4 bytes with zeros and ends the list with opt_endofopt', () => {
    const opts = encodeOptions([utf8Option(1, 'abcde'), { code: 9, value: Buffer.from([9]) }]);
    expect(opts.toString('hex')).toBe(
      '0100' + '0500' + '6162636465000000' + // comment "abcde", 3 bytes of padding
      '0900' + '0100' + '09000000' + //          if_tsresol 9
      '0000' + '0000', //                        end of options
    );
    expect(encodeOptions([])).toHaveLength(0);
  });

  it('refuses an option value longer than its 16-bit length field', () => {
    expect(() => encodeOptions([utf8Option(1, 'x'.repeat(0x10000))])).toThrow(RangeError);
  });

  it('encodes an interface description byte for byte', () => {
    const idb = interfaceDescriptionBlock({ linktype: 1, snaplen: 0xffff, name: 'k/f', tsresol: 9 });
    expect(idb.toString('hex')).toBe(
      '01000000' + '28000000' + // type, total length 40
      '0100' + '0000' + 'ffff0000' + // linktype, reserved, snaplen
      '0200' + '0300' + '6b2f6600' + // if_name "k/f"
      '0900' + '0100' + '09000000' + // if_tsresol
      '00000000' + // end of options
      '28000000',
    );
  });

  it('splits a 64-bit timestamp in high and low words and pads the packet', () => {
    const epb = enhancedPacketBlock({
      interfaceId: 3, timestamp: 0x1234_5678_9abc_def0n, data: Buffer.from([1, 2, 3, 4, 5]), originalLength: 1500,
    });
    expect(epb.length % 4).toBe(0);
    expect(epb.readUInt32LE(4)).toBe(epb.length);
    expect(epb.readUInt32LE(epb.length - 4)).toBe(epb.length);
    expect(epb.readUInt32LE(12)).toBe(0x12345678);
    expect(epb.readUInt32LE(16)).toBe(0x9abcdef0);
    expect(epb.subarray(28, 36).toString('hex')).toBe('0102030405000000');
    const [block] = readPcapngBlocks(Buffer.concat([sectionHeaderBlock(), epb])).slice(1);
    expect(block).toEqual({
      kind: 'packet', interfaceId: 3, timestamp: 0x1234_5678_9abc_def0n, capturedLength: 5, originalLength: 1500,
      data: Buffer.from([1, 2, 3, 4, 5]), options: [],
    });
  });

  it('puts the PEN first in custom blocks and custom options', () => {
    const block = customBlock(70000, Buffer.from('{}'));
    expect(block.toString('hex')).toBe('ad0b0000' + '14000000' + '70110100' + '7b7d0000' + '14000000');
    const opt = customUtf8Option(70000, 'é');
    expect(opt.code).toBe(2988);
    expect(opt.value.toString('hex')).toBe('70110100' + 'c3a9');
  });
});
