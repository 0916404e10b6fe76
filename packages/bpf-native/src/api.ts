/**
 * Program section names the addon knows (custom libbpf handlers, so that the
 * load-time patching of `patchCalls` can run):
 *   retis/raw_tracepoint  BPF_PROG_TYPE_RAW_TRACEPOINT
 *   retis/kprobe          BPF_PROG_TYPE_KPROBE
 *   retis/kretprobe       BPF_PROG_TYPE_KPROBE
 *   retis/kprobe.multi    BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI (what attachKprobeMulti needs)
 *   retis/usdt            BPF_PROG_TYPE_KPROBE (the object must include bpf/usdt.bpf.h)
 *   retis/fentry          BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY (target: setAttachTarget)
 *   retis/fexit           BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT
 * Each also accepts a `/<anything>` suffix (e.g. retis/kprobe/skb). Any other
 * section is handled by libbpf as usual, and patchCalls does not apply to it.
 *
 * The public surface of @retis/bpf-native (contract; implemented in index.ts
 * over the native addon). Mirrors libbpf's nouns: an object is opened, edited
 * (rodata, map reuse, instructions), loaded, then its programs are attached.
 * Every kernel object has an explicit close(); closing twice is a no-op.
 */

/** Error thrown by every native operation that fails. */
export interface BpfErrorShape extends Error {
  /** errno name, e.g. 'EPERM', 'ENOENT', 'EINVAL'. */
  code: string;
  errno: number;
  /** libbpf (or syscall) operation that failed, e.g. 'bpf_object__load'. */
  op: string;
  /** libbpf's log lines gathered during the operation (verifier log included). */
  libbpfLog?: string;
}

export interface ProgramSpec {
  readonly name: string;
  readonly sectionName: string;
  setAutoload(on: boolean): void;
  /** Instructions as raw bytes (8 bytes per insn), as libbpf holds them now. */
  insns(): Buffer;
  /** fentry/fexit: target function in vmlinux, before load. */
  setAttachTarget(func: string): void;
  /** After load (throws a BpfError EBADF before). */
  readonly fd: number;

  /**
   * With a cookie: BPF_RAW_TRACEPOINT_OPEN with the cookie field (Linux >= 6.10,
   * see features().rawTracepointCookie); without: libbpf's attach.
   */
  attachRawTracepoint(name: string, cookie?: bigint): Link;
  /** Works without a mounted tracefs (a private one is mounted for the id lookup, then removed). */
  attachTracepoint(group: string, name: string): Link;
  attachTpBtf(): Link; // attach target given at open via section name or setAttachTarget
  /** On a kernel without kprobes: BpfError code 'EOPNOTSUPP', op 'bpf_program__attach_kprobe_opts'. */
  attachKprobe(func: string, opts?: { retprobe?: boolean; cookie?: bigint }): Link;
  /** Needs a retis/kprobe.multi (or kprobe.multi/) program. */
  attachKprobeMulti(funcs: string[], opts?: { retprobe?: boolean; cookies?: bigint[] }): Link;
  /** `offset` is a file offset in `path`; `pid` defaults to every process. */
  attachUprobe(path: string, offset: bigint, opts?: { retprobe?: boolean; pid?: number; cookie?: bigint }): Link;
  /** The link depends on the object: closing the object closes it first. */
  attachUsdt(path: string, provider: string, name: string, opts?: { pid?: number; cookie?: bigint }): Link;
  /** fentry/fexit (target set before load). */
  attachTrace(): Link;
}

export interface MapSpec {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Before load: share an existing map (bpf_map__reuse_fd). */
  reuseFd(fd: number): void;
  /** Before load. */
  setMaxEntries(n: number): void;
  /** After load. */
  readonly fd: number;
}

export interface BpfObject {
  /** libbpf's name: the `name` given to openObject, else the file name up to its first dot. */
  readonly name: string;
  /** Before load: set a `const volatile` global in .rodata (or .data/.bss) by name; bytes must match its size. */
  setGlobal(name: string, value: Buffer): void;
  programs(): ProgramSpec[];
  program(name: string): ProgramSpec; // throws if missing
  maps(): MapSpec[];
  map(name: string): MapSpec; // throws if missing
  /**
   * Before load: every `call <magic>` instruction (BPF_JMP|BPF_CALL, src_reg 0,
   * imm == magic) of every program is replaced by `insns` at load time, from a
   * libbpf prog_prepare_load_fn handler (after subprograms are appended and
   * relocated). Jump and bpf-to-bpf call offsets that cross the splice, and
   * func_info/line_info insn_off, are shifted. `insns` must not contain `exit`
   * (the caller turns them into jumps to the end of the block).
   * The block replaces a helper call: it takes its input in r1-r5, leaves its
   * result in r0, and must not touch r6-r9. Its jumps must stay inside it
   * (a jump to insns.length / 8 goes to the end); it must not contain
   * bpf-to-bpf calls. `magic` is the imm32, written signed or unsigned
   * (-16 and 0xfffffff0 are the same). A second block for the same magic
   * replaces the first. Only programs in retis/ sections are patched.
   */
  patchCalls(magic: number, insns: Buffer): void;
  /** bpf_object__load in a worker thread; rejects with a BpfError carrying libbpfLog. Once only. */
  load(): Promise<void>;
  /** Closes the object (links stay attached, except USDT ones). During load(), closes once it is over. */
  close(): void;
}

export interface Link {
  readonly fd: number;
  close(): void;
}

/**
 * Operations on a loaded map by fd (works for maps of any object). Buffers
 * smaller than the map's key/value size are refused (BpfError EINVAL); for
 * per-CPU maps the value is one 8-byte aligned slot per possible CPU.
 */
export interface MapOps {
  lookup(fd: number, key: Buffer, valueSize: number): Buffer | null;
  update(fd: number, key: Buffer, value: Buffer, flags?: number): void;
  delete(fd: number, key: Buffer): boolean; // false if missing
  /** All keys (bpf_map_get_next_key walk). */
  keys(fd: number, keySize: number): Buffer[];
}

export interface RingBufferStats {
  /** Wakeups delivered to JavaScript as batches. */
  batches: number;
  /** Records delivered. */
  events: number;
  /** Bytes delivered. */
  bytes: number;
  /**
   * Batches that found the queue towards JavaScript full, so the reader
   * thread waited (back-pressure: records stay in the kernel ring meanwhile,
   * and the BPF side counts what the ring could not take).
   */
  stalls: number;
}

/**
 * One batch per wakeup: `data` holds the records back to back, `offsets[i]`
 * and `lengths[i]` delimit record i. Never one call per record. A batch holds
 * at most about 1 MiB; `data` is a view over native memory (no copy), valid
 * as long as it is referenced. A callback that throws raises an uncaught
 * exception, like a throwing event listener.
 */
export type BatchCallback = (data: Buffer, offsets: Uint32Array, lengths: Uint32Array) => void;

export interface RingBufferReader {
  /** Starts the native reader thread (once); the process stays alive until stop() resolves. */
  start(): void;
  /** Stops the thread after draining what the kernel already holds; resolves once every batch was delivered. */
  stop(): Promise<void>;
  stats(): RingBufferStats;
}

export type BtfKind =
  | 'int' | 'ptr' | 'array' | 'struct' | 'union' | 'enum' | 'enum64' | 'fwd' | 'typedef' | 'volatile'
  | 'const' | 'restrict' | 'func' | 'func_proto' | 'var' | 'datasec' | 'float' | 'decl_tag' | 'type_tag' | 'unknown';

export interface BtfMember { name: string; typeId: number; bitOffset: number; bitfieldSize: number }
export interface BtfParam { name: string; typeId: number }
export interface BtfEnumValue { name: string; value: bigint }

/** Id 0 is `void`: kind 'unknown', name 'void'. Anonymous types have name ''. */
export interface BtfType {
  id: number;
  kind: BtfKind;
  name: string;
  /** struct/union/int/enum/float/datasec size in bytes. */
  size?: number;
  /** ptr/typedef/const/volatile/restrict/func/var/type_tag: the referenced type. */
  typeId?: number;
  /** int encoding. */
  signed?: boolean;
  bits?: number;
  bitOffset?: number;
  /** array */
  elemTypeId?: number;
  nelems?: number;
  members?: BtfMember[];
  /** func_proto */
  returnTypeId?: number;
  params?: BtfParam[];
  /** enum/enum64 */
  values?: BtfEnumValue[];
  enumSigned?: boolean;
}

export interface Btf {
  /** Id of the first type of that name (and kind if given), or -1. Searches base BTF too for split BTF. */
  findByName(name: string, kind?: BtfKind): number;
  type(id: number): BtfType;
  /** Number of type ids (last id + 1; base types included for split BTF). */
  readonly typeCount: number;
  close(): void;
}

/**
 * A loaded module's BTF, as the running kernel gives it
 * (`/sys/kernel/btf/<module>`): split over vmlinux, so that its ids and
 * lookups take in vmlinux's types too.
 */
export interface ModuleBtfSource {
  /** The module's name (`veth`, `openvswitch`): letters, digits, `_` and `-`, at most 55. */
  module: string;
  /**
   * The vmlinux BTF (from `loadBtf()`) to split over, shared rather than
   * parsed again; it may be closed first, the module's BTF keeps it alive.
   * Without it, vmlinux's BTF is loaded for this module alone.
   */
  base?: Btf;
}

export interface KernelFeatures {
  rawTracepoint: boolean;
  rawTracepointCookie: boolean;
  tpBtf: boolean;
  tracepoint: boolean;
  kprobe: boolean;
  kprobeMulti: boolean;
  kretprobe: boolean;
  fentry: boolean;
  fexit: boolean;
  uprobe: boolean;
  ringbuf: boolean;
}

export interface BpfNative {
  openObject(source: string | Buffer, name?: string): BpfObject;
  ringBuffer(mapFd: number, onBatch: BatchCallback): RingBufferReader;
  map: MapOps;
  /**
   * vmlinux BTF; or the BTF of a file (ELF object or raw BTF; a module's raw
   * BTF file is loaded split over vmlinux); or a loaded module's BTF.
   * Errors: BpfError op 'btf__load_vmlinux_btf', 'btf__parse' or
   * 'btf__load_module_btf' (ENOENT: no such module BTF, the module is not
   * loaded or has none), EBADF for a closed base; TypeError for a bad module
   * name or a base that is not vmlinux's.
   */
  loadBtf(source?: string | ModuleBtfSource): Btf;
  /** libpcap: compile a filter for a link type (1 = EN10MB, 12 = RAW); returns cBPF, 8 bytes per insn. */
  pcapCompile(expr: string, linkType: number, snaplen?: number, optimize?: boolean): Buffer;
  /** Run the cBPF program on bytes with libpcap's bpf_filter (reference verdicts for tests). */
  pcapFilter(program: Buffer, packet: Buffer, wireLen?: number): number;
  /** Feature probes: each one is a tiny real load/attach, never a version guess. Cached. */
  features(): KernelFeatures;
  /**
   * BPF_PROG_TEST_RUN on a loaded program fd with the given input; returns retval. An empty `data`
   * is not passed (raw_tracepoint programs take only `ctx`: their u64 arguments).
   */
  testRun(progFd: number, data: Buffer, ctx?: Buffer): { retval: number; duration: number };
  /**
   * libbpf print callback, one call per line; level 0 warn, 1 info, 2 debug. Lines printed during an
   * operation that fails go into its BpfError's libbpfLog instead (debug lines excepted). Does not
   * keep the process alive.
   */
  setLogHandler(fn: ((level: number, msg: string) => void) | null): void;
  /** Raise RLIMIT_MEMLOCK (older kernels charge BPF memory to it). */
  bumpMemlock(): void;
}
