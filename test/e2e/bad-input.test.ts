/**
 * Every bad input is one clear line on stderr and a non-zero exit, never a
 * stack trace, and leaves nothing loaded in the kernel.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadedProgramNames, RETIS, runRetis } from './helpers/retis';

jest.setTimeout(60_000);

function expectOneLineError(r: { status: number | null; stderr: string }, message: RegExp): void {
  expect(r.status).not.toBe(0);
  expect(r.status).not.toBeNull();
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^Error: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

afterEach(() => {
  expect(loadedProgramNames().filter((n) => n.startsWith('probe_'))).toEqual([]);
});

test('unknown collector', () => {
  expectOneLineError(runRetis(['collect', '-c', 'skb,nope']), /Unknown collector 'nope'/);
});

test('unknown tracepoint', () => {
  expectOneLineError(runRetis(['collect', '-c', 'skb', '-p', 'tp:net:no_such_event']),
    /Could not find a tracepoint matching 'net:no_such_event'/);
});

test('a probe kind this kernel lacks', () => {
  // This kernel is built without kprobes; a kernel with them is covered in the VM.
  expectOneLineError(runRetis(['collect', '-c', 'skb', '-p', 'kprobe:ip_rcv']), /no kprobe support/);
});

test('malformed probe', () => {
  expectOneLineError(runRetis(['collect', '-p', 'foo:bar:baz']), /Invalid TYPE foo/);
});

test('unreadable output path', () => {
  expectOneLineError(runRetis(['collect', '-c', 'skb', '-o', '/nonexistent-dir/out.data']),
    /Could not create the events file \/nonexistent-dir\/out\.data/);
});

test('not root', () => {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, RETIS, 'collect'],
    { encoding: 'utf8', cwd: os.tmpdir(), timeout: 30_000 });
  expectOneLineError({ status: r.status, stderr: r.stderr }, /must run as root/);
});

test('unknown option', () => {
  expectOneLineError(runRetis(['collect', '--no-such-option']), /Unsupported option name/);
});

test('bad --stop-after and --format values', () => {
  expectOneLineError(runRetis(['collect', '--stop-after', 'x']), /stop-after/);
  expectOneLineError(runRetis(['collect', '--format', 'fancy']), /format/);
});

test('print of a missing file and of a corrupt file', () => {
  expectOneLineError(runRetis(['print', '/nonexistent/retis.data']), /No such file or directory/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-bad-'));
  try {
    const f = path.join(dir, 'garbage.data');
    fs.writeFileSync(f, 'this is not json\n');
    const r = runRetis(['print', f]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^Error: .*garbage\.data/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
