// Builds the BPF objects of test/fixtures/*.bpf.c with clang, cached under
// build/test-fixtures/ (rebuilt when the source or common.h is newer).
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'fs';
import { join } from 'path';

const SOURCE_DIR = join(__dirname, 'fixtures');
const OUT_DIR = join(__dirname, '..', 'build', 'test-fixtures');

const ARCH: Record<string, { multiarch: string; target: string }> = {
  x64: { multiarch: 'x86_64-linux-gnu', target: 'x86' },
  arm64: { multiarch: 'aarch64-linux-gnu', target: 'arm64' },
};

function clangFlags(): string[] {
  const arch = ARCH[process.arch];
  if (arch === undefined) throw new Error(`no BPF test build flags for ${process.arch}`);
  return ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', `-D__TARGET_ARCH_${arch.target}`, `-I/usr/include/${arch.multiarch}`];
}

function build(name: string, inputs: string[], output: string, command: string, args: string[]): string {
  const fresh = existsSync(output) && inputs.every((input) => statSync(input).mtimeMs <= statSync(output).mtimeMs);
  if (!fresh) {
    mkdirSync(OUT_DIR, { recursive: true });
    const partial = `${output}.${process.pid}.tmp`;
    try {
      execFileSync(command, [...args, '-o', partial], { stdio: 'pipe' });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? String(e);
      throw new Error(`cannot build test fixture ${name}: ${stderr}`);
    }
    renameSync(partial, output);
  }
  return output;
}

/** Path of the compiled `test/fixtures/<name>.bpf.c`. */
export function bpfFixture(name: string): string {
  const source = join(SOURCE_DIR, `${name}.bpf.c`);
  return build(name, [source, join(SOURCE_DIR, 'common.h')], join(OUT_DIR, `${name}.bpf.o`), 'clang', [
    ...clangFlags(),
    '-c',
    source,
  ]);
}

/** Path of the executable built from `test/fixtures/<name>.c`. */
export function programFixture(name: string): string {
  const source = join(SOURCE_DIR, `${name}.c`);
  return build(name, [source], join(OUT_DIR, name), 'cc', ['-O1', source]);
}

/** Syscall numbers the tests trigger from this process. */
export const SYSCALL_KILL: number = { x64: 62, arm64: 129 }[process.arch as 'x64' | 'arm64'] ?? -1;

/** One kill(self, 0): a syscall no other thread of this process makes. */
export function pokeKill(times = 1): void {
  for (let i = 0; i < times; i++) process.kill(process.pid, 0);
}

export function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

export function u64(value: bigint | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(value));
  return b;
}

/** ctx of a raw_tracepoint program for testRun: its u64 arguments. */
export function rawTpArgs(...args: Array<bigint | number>): Buffer {
  return Buffer.concat(args.map((a) => u64(a)));
}
