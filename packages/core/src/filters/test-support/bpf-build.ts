/**
 * Builds the filter test harnesses (packages/core/test/fixtures/filters/*.bpf.c)
 * with clang, cached under packages/core/build/filters/ and rebuilt when the
 * source is newer than the object. Harnesses that need kernel types include
 * a vmlinux.h generated there from this machine's BTF.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';

const PACKAGE_ROOT = resolve(__dirname, '../../..');
const SOURCE_DIR = join(PACKAGE_ROOT, 'test', 'fixtures', 'filters');
export const BUILD_DIR = join(PACKAGE_ROOT, 'build', 'filters');
const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';

const ARCH: Record<string, { multiarch: string; target: string }> = {
  x64: { multiarch: 'x86_64-linux-gnu', target: 'x86' },
  arm64: { multiarch: 'aarch64-linux-gnu', target: 'arm64' },
};

function toolError(what: string, e: unknown): Error {
  const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
  return new Error(`${what}: ${stderr || String(e)}`);
}

/** Writes `path` through a temporary file so that a concurrent reader never sees half of it. */
function writeAtomically(path: string, produce: (partial: string) => void): void {
  const partial = `${path}.${process.pid}.tmp`;
  produce(partial);
  renameSync(partial, path);
}

/** build/filters/vmlinux.h, generated once per kernel BTF. */
function vmlinuxHeader(): string {
  const header = join(BUILD_DIR, 'vmlinux.h');
  if (!existsSync(header) || statSync(header).mtimeMs < statSync(VMLINUX_BTF).mtimeMs) {
    mkdirSync(BUILD_DIR, { recursive: true });
    writeAtomically(header, (partial) => {
      try {
        const text = execFileSync('bpftool', ['btf', 'dump', 'file', VMLINUX_BTF, 'format', 'c'], {
          maxBuffer: 64 << 20,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        writeFileSync(partial, text);
      } catch (e) {
        throw toolError('cannot generate vmlinux.h with bpftool', e);
      }
    });
  }
  return header;
}

/** Path of the compiled `test/fixtures/filters/<name>.bpf.c`. */
export function buildHarness(name: string, opts: { vmlinux?: boolean } = {}): string {
  const arch = ARCH[process.arch];
  if (arch === undefined) throw new Error(`no BPF build flags for ${process.arch}`);
  const source = join(SOURCE_DIR, `${name}.bpf.c`);
  const object = join(BUILD_DIR, `${name}.bpf.o`);
  const inputs = [source];
  if (opts.vmlinux) inputs.push(vmlinuxHeader());
  const fresh = existsSync(object) && inputs.every((input) => statSync(input).mtimeMs <= statSync(object).mtimeMs);
  if (!fresh) {
    mkdirSync(BUILD_DIR, { recursive: true });
    const flags = ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', `-D__TARGET_ARCH_${arch.target}`, '-Wall'];
    flags.push(opts.vmlinux ? `-I${BUILD_DIR}` : `-I/usr/include/${arch.multiarch}`);
    writeAtomically(object, (partial) => {
      try {
        execFileSync('clang', [...flags, '-c', source, '-o', partial], { stdio: 'pipe' });
      } catch (e) {
        throw toolError(`cannot build ${name}.bpf.c`, e);
      }
    });
  }
  return object;
}

/** The object's bytes (openObject takes a Buffer, so each test opens the same build). */
export function harnessBytes(name: string, opts: { vmlinux?: boolean } = {}): Buffer {
  return readFileSync(buildHarness(name, opts));
}
