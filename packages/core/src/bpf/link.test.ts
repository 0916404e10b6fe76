import { mkdtemp, readdir, readFile, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { basename, join } from 'path';
import { HOOK_MAX, MAPS } from './abi';
import { BtfDump } from './btf-dump';
import { BUNDLED_HOOKS, RAW_TRACEPOINT_OBJECT, requireBuilt } from './built-objects.testutil';
import { BpfElf, ElfSymbol } from './elf';
import { linkProbe, linkProbeToBuffer } from './link';

const HOOKS = [BUNDLED_HOOKS.skbTracking, BUNDLED_HOOKS.skbDrop, BUNDLED_HOOKS.skb, BUNDLED_HOOKS.dev, BUNDLED_HOOKS.ns];

let scratch: string;

beforeAll(() => requireBuilt(RAW_TRACEPOINT_OBJECT, ...HOOKS));
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'retis-link-test-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function slotSymbols(elf: BpfElf): Map<number, ElfSymbol[]> {
  const bySlot = new Map<number, ElfSymbol[]>();
  for (const s of elf.symbols()) {
    const m = /^retis_hook_slot(\d+)$/.exec(s.name);
    if (m) bySlot.set(Number(m[1]), [...(bySlot.get(Number(m[1])) ?? []), s]);
  }
  return bySlot;
}

describe('linkProbe', () => {
  it('puts hook i in slot i and leaves the other slots weak', async () => {
    const linked = await linkProbe(RAW_TRACEPOINT_OBJECT, HOOKS, { tmpDir: scratch });
    try {
      const elf = new BpfElf(await readFile(linked.path), 'linked');
      const slots = slotSymbols(elf);
      expect([...slots.keys()].sort((a, b) => a - b)).toEqual([...Array(HOOK_MAX).keys()]);
      for (let slot = 0; slot < HOOK_MAX; slot++) {
        const syms = slots.get(slot)!;
        expect(syms).toHaveLength(1);
        expect(syms[0].binding).toBe(slot < HOOKS.length ? 'global' : 'weak');
        expect(syms[0].sectionIndex).not.toBe(0);
      }
      expect(elf.symbols().some((s) => s.name === 'retis_hook_slotX')).toBe(false);

      // The verifier sees the functions by their BTF names.
      const btf = BtfDump.ofFile(linked.path);
      for (let slot = 0; slot < HOOK_MAX; slot++) expect(btf.findAll(`retis_hook_slot${slot}`, 'FUNC')).toHaveLength(1);
      expect(btf.findAll('retis_hook_slotX')).toHaveLength(0);

      // Weak core maps are merged into one; the skb collector's map came along.
      for (const map of Object.values(MAPS)) expect(btf.findAll(map, 'VAR')).toHaveLength(1);
      expect(btf.findAll('skb_config_map', 'VAR')).toHaveLength(1);
    } finally {
      await linked.dispose();
    }
  });

  it('links each hook in the slot of its position', async () => {
    const order = [BUNDLED_HOOKS.ns, BUNDLED_HOOKS.skb];
    const linked = await linkProbe(RAW_TRACEPOINT_OBJECT, order, { tmpDir: scratch });
    try {
      const btf = BtfDump.ofFile(linked.path);
      // Each slot holds the body of the hook at that position: same function size.
      const elf = new BpfElf(await readFile(linked.path), 'linked');
      const sizeOf = (e: BpfElf, name: string) => e.symbols().find((s) => s.name === name)?.size;
      const nsElf = new BpfElf(await readFile(BUNDLED_HOOKS.ns), 'ns');
      const skbElf = new BpfElf(await readFile(BUNDLED_HOOKS.skb), 'skb');
      expect(sizeOf(nsElf, 'retis_hook_slotX')).not.toBe(sizeOf(skbElf, 'retis_hook_slotX'));
      expect(sizeOf(elf, 'retis_hook_slot0')).toBe(sizeOf(nsElf, 'retis_hook_slotX'));
      expect(sizeOf(elf, 'retis_hook_slot1')).toBe(sizeOf(skbElf, 'retis_hook_slotX'));
      expect(btf.findAll('ns_event', 'STRUCT')).toHaveLength(1);
      expect(btf.findAll('skb_meta_event', 'STRUCT')).toHaveLength(1);
    } finally {
      await linked.dispose();
    }
  });

  it('links a probe with no hooks', async () => {
    const bytes = await linkProbeToBuffer(RAW_TRACEPOINT_OBJECT, [], { tmpDir: scratch });
    const slots = slotSymbols(new BpfElf(bytes, 'linked'));
    expect([...slots.values()].every((s) => s.length === 1 && s[0].binding === 'weak')).toBe(true);
  });

  it('keeps only the linked object in its temporary directory, and removes it on dispose', async () => {
    const linked = await linkProbe(RAW_TRACEPOINT_OBJECT, HOOKS, { tmpDir: scratch });
    const [dir] = await readdir(scratch);
    expect(await readdir(join(scratch, dir))).toEqual([basename(linked.path)]);
    await linked.dispose();
    await linked.dispose();
    expect(await readdir(scratch)).toEqual([]);
  });

  it('links the probe and five hooks quickly', async () => {
    const start = process.hrtime.bigint();
    const runs = 5;
    for (let i = 0; i < runs; i++) await linkProbeToBuffer(RAW_TRACEPOINT_OBJECT, HOOKS, { tmpDir: scratch });
    const perLinkMs = Number(process.hrtime.bigint() - start) / 1e6 / runs;
    // Measured at about 10 ms here (bpftool itself takes ~4 ms); this only catches a pathology.
    expect(perLinkMs).toBeLessThan(500);
  });
});

describe('linkProbe failures', () => {
  const expectNothingLeft = async () => expect(await readdir(scratch)).toEqual([]);

  it('refuses more hooks than slots', async () => {
    await expect(linkProbe(RAW_TRACEPOINT_OBJECT, new Array(HOOK_MAX + 1).fill(BUNDLED_HOOKS.dev), { tmpDir: scratch }))
      .rejects.toThrow('cannot link 11 hooks into one probe: at most 10');
    await expectNothingLeft();
  });

  it('names a hook object that cannot be read', async () => {
    const missing = join(scratch, 'missing_hook.bpf.o');
    await expect(linkProbe(RAW_TRACEPOINT_OBJECT, [missing], { tmpDir: scratch }))
      .rejects.toThrow(`cannot read hook object ${missing}: ENOENT`);
    await expectNothingLeft();
  });

  it('rejects a file that is not a BPF object', async () => {
    const bogus = join(scratch, 'bogus.o');
    await writeFile(bogus, 'not an object');
    await expect(linkProbe(RAW_TRACEPOINT_OBJECT, [bogus], { tmpDir: scratch }))
      .rejects.toThrow(`invalid hook object: ${bogus} is not an ELF file`);
  });

  it('rejects an object without a hook placeholder', async () => {
    await expect(linkProbe(RAW_TRACEPOINT_OBJECT, [RAW_TRACEPOINT_OBJECT], { tmpDir: scratch }))
      .rejects.toThrow(`invalid hook object: ${RAW_TRACEPOINT_OBJECT}: expected retis_hook_slotX once in its symbol names, found it 0 times`);
  });

  it('reports what the static linker says, with the original file names', async () => {
    // Two copies of the skb hook both define skb_config_map strongly.
    const err = await linkProbe(RAW_TRACEPOINT_OBJECT, [BUNDLED_HOOKS.skb, BUNDLED_HOOKS.skb], { tmpDir: scratch })
      .then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/^linking raw_tracepoint\.bpf\.o with 2 hook\(s\) failed: .*skb_config_map/);
    expect(err?.message).toContain(BUNDLED_HOOKS.skb);
    expect(err?.message).not.toContain('\n');
    await expectNothingLeft();
  });

  it('says when bpftool is missing', async () => {
    await expect(linkProbe(RAW_TRACEPOINT_OBJECT, HOOKS, { tmpDir: scratch, bpftool: join(scratch, 'no-bpftool') }))
      .rejects.toThrow(/cannot run .*no-bpftool: not found/);
    await expectNothingLeft();
  });
});
