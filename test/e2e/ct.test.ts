/**
 * The ct collector end to end: real conntrack entries, made by an nftables
 * rule in the receiving namespace b (conntrack then tracks every packet of
 * that namespace, in and out): a ping, a TCP connection, UDP over IPv6, a
 * connection with zone, mark and labels, and an FTP data connection whose
 * master is the control connection; read back from the events file and from
 * `retis print`. Also: the ovs and nft collectors' refusal to run here, and
 * `retis print` on Retis's own files.
 *
 * Probes: net:net_dev_start_xmit sees the packets leaving b after
 * conntrack's output hooks; skb:consume_skb sees an ICMP echo request after
 * it was tracked on input and answered.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createNsPair, inNs, type NsPair } from './helpers/netns';
import { expectExit0, runRetis } from './helpers/retis';
import { decodePacket, readEvents, type Json } from './helpers/events';

jest.setTimeout(120_000);

/** IPS_CONFIRMED: the entry is in the conntrack table. */
const IPS_CONFIRMED = 0x8;
const PORT = 8377;

let pair: NsPair;
let tmp: string;

beforeAll(() => {
  pair = createNsPair('ct');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-e2e-ct-'));
  try {
    inNs(pair.b, 'nft', ['add', 'table', 'inet', 't']);
    inNs(pair.b, 'nft', ['add', 'chain', 'inet', 't', 'c', '{ type filter hook input priority 0; }']);
    inNs(pair.b, 'nft', ['add', 'rule', 'inet', 't', 'c', 'ct', 'state', 'new,established', 'accept']);
  } catch (e) {
    removeTableAndNamespaces();
    throw e;
  }
});

function removeTableAndNamespaces(): void {
  try {
    inNs(pair.b, 'nft', ['delete', 'table', 'inet', 't']);
  } catch {
    // Already gone (or never made); the namespace goes next anyway.
  }
  pair.destroy();
}

afterAll(() => {
  if (pair) removeTableAndNamespaces();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * Our probe programs left behind by a test: the ones loaded since it began
 * that no live process holds any more (pinned), or that a process of this
 * test still holds. Other collections running on the machine meanwhile
 * hold theirs, and are left out.
 */
function leftoverPrograms(before: ReadonlySet<number>): number[] {
  const owners = new Map<number, string[]>();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    let cmdline: string;
    try {
      fds = fs.readdirSync(`/proc/${pid}/fdinfo`);
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    for (const fd of fds) {
      let info: string;
      try {
        info = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      } catch {
        continue;
      }
      // Program and link descriptors both name their program.
      const m = /^prog_id:\s+(\d+)$/m.exec(info);
      if (m) owners.set(Number(m[1]), [...(owners.get(Number(m[1])) ?? []), cmdline]);
    }
  }
  return probePrograms()
    .filter((id) => !before.has(id))
    .filter((id) => (owners.get(id) ?? []).every((cmd) => cmd.includes(tmp)));
}

function probePrograms(): number[] {
  const out = spawnSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' });
  return (JSON.parse(out.stdout || '[]') as { id: number; name?: string }[])
    .filter((p) => p.name?.startsWith('probe_'))
    .map((p) => p.id);
}

let programsBefore: Set<number>;

beforeEach(() => {
  programsBefore = new Set(probePrograms());
});

afterEach(async () => {
  // Programs are freed shortly after their last descriptor closes.
  let left = leftoverPrograms(programsBefore);
  for (let i = 0; i < 20 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = leftoverPrograms(programsBefore);
  }
  expect(left).toEqual([]);
});

/** The ICMP echo identifier of an Ethernet + IPv4 + ICMP frame. */
function icmpId(base64: string): number {
  const b = Buffer.from(base64, 'base64');
  return b.readUInt16BE(14 + (b[14] & 0x0f) * 4 + 4);
}

/** The text block `retis print` gives for the event with this timestamp. */
function printedBlock(file: string, timestamp: string): string[] {
  const printed = runRetis(['print', file]);
  expectExit0(printed);
  const block = printed.stdout.split('\n\n').find((b) => b.startsWith(`${timestamp} `));
  expect(block).toBeDefined();
  return block!.split('\n');
}

const byTime = (a: Json, b: Json) => (BigInt(a.common.timestamp) < BigInt(b.common.timestamp) ? -1 : 1);

test('a ping is new, then its reply is reply and the next request established', () => {
  const out = path.join(tmp, 'ping.data');
  const r = runRetis(['collect', '-c', 'ct,skb,dev', '-p', 'tp:skb:consume_skb', '-p', 'tp:net:net_dev_start_xmit', '-o', out,
    '--cmd', `ip netns exec ${pair.a} ping -c 2 -i 0.3 ${pair.addrB}`]);
  expect(r.stderr).toMatch(/\d+ probe\(s\) loaded/);
  expectExit0(r);

  const events = readEvents(out).filter((e) => e.dev?.name === pair.vethB && e.packet && decodePacket(e.packet.data).proto === 1);
  const requests = events.filter((e) => e.kernel.symbol === 'skb:consume_skb' && decodePacket(e.packet.data).icmpType === 8).sort(byTime);
  const replies = events.filter((e) => e.kernel.symbol === 'net:net_dev_start_xmit' && decodePacket(e.packet.data).icmpType === 0);
  expect(requests).toHaveLength(2);
  expect(replies).toHaveLength(2);
  expect(requests.map((e) => e.ct?.state)).toEqual(['new', 'established']);
  expect(replies.map((e) => e.ct?.state)).toEqual(['reply', 'reply']);

  const id = icmpId(requests[0].packet.data);
  for (const e of [...requests, ...replies]) {
    expect(e.ct.orig).toEqual({ ip: { src: pair.addrA, dst: pair.addrB, version: 'v4' }, proto: { icmp: { code: 0, type: 8, id } } });
    expect(e.ct.reply).toEqual({ ip: { src: pair.addrB, dst: pair.addrA, version: 'v4' }, proto: { icmp: { code: 0, type: 0, id } } });
    expect(e.ct.zone_dir).toBe('Default');
    expect(e.ct.zone_id).toBe(0);
    // This kernel has CONFIG_NF_CONNTRACK_MARK=y, and nothing marks the connection.
    expect(e.ct.mark).toBe(0);
    expect(e.ct).not.toHaveProperty('proto_state');
    expect(e.ct).not.toHaveProperty('labels');
    expect(e.ct).not.toHaveProperty('parent');
    expect(Number(e.ct.ct_status) & IPS_CONFIRMED).toBe(IPS_CONFIRMED);
  }

  const first = requests[0];
  const lines = printedBlock(out, String(first.common.timestamp));
  expect(lines[lines.length - 1]).toBe(
    `  ct_state NEW status 0x${Number(first.ct.ct_status).toString(16)} ` +
      `icmp orig [${pair.addrA} > ${pair.addrB} type 8 code 0 id ${id}] reply [${pair.addrB} > ${pair.addrA} type 0 code 0 id ${id}] zone 0 mark 0`,
  );
});

test('a TCP connection is new on its SYN, then established with its TCP state', () => {
  const out = path.join(tmp, 'tcp.data');
  const node = process.execPath;
  // The server in a answers once; the client in b retries until the server listens.
  const server = `const s=require('net').createServer(c=>c.on('data',()=>{c.end();s.close()})).listen(${PORT},'${pair.addrA}')`;
  const client =
    `let n=0;const go=()=>{const c=require('net').connect(${PORT},'${pair.addrA}',()=>c.end('hello'));` +
    `c.on('error',()=>{if(++n<50)setTimeout(go,100)});c.on('data',()=>{})};go()`;
  const script = path.join(tmp, 'tcp.sh');
  fs.writeFileSync(script, [
    `ip netns exec ${pair.a} ${node} -e "${server}" &`,
    `ip netns exec ${pair.b} ${node} -e "${client}"`,
    'wait',
  ].join('\n'));
  const r = runRetis(['collect', '-c', 'ct,skb,dev', '-p', 'tp:net:net_dev_start_xmit', '-o', out, '--cmd', `bash ${script}`]);
  expectExit0(r);

  const sent = readEvents(out)
    .filter((e) => e.dev?.name === pair.vethB && e.packet)
    .map((e) => ({ e, p: decodePacket(e.packet.data) }))
    .filter(({ p }) => p.proto === 6 && p.dport === PORT)
    .sort((x, y) => byTime(x.e, y.e));
  // The connection that got through (the client may have retried before the server listened).
  const ack = sent.find(({ p }) => p.tcpFlags === 0x10);
  expect(ack).toBeDefined();
  const sport = ack!.p.sport!;
  const syn = sent.find(({ p }) => p.sport === sport && (p.tcpFlags! & 0x12) === 0x02);
  expect(syn).toBeDefined();

  expect(syn!.e.ct.state).toBe('new');
  expect(syn!.e.ct.proto_state).toBe('SYN_SENT');
  expect(ack!.e.ct.state).toBe('established');
  expect(ack!.e.ct.proto_state).toBe('ESTABLISHED');
  for (const { e } of [syn!, ack!]) {
    expect(e.ct.orig).toEqual({ ip: { src: pair.addrB, dst: pair.addrA, version: 'v4' }, proto: { tcp: { sport, dport: PORT } } });
    expect(e.ct.reply).toEqual({ ip: { src: pair.addrA, dst: pair.addrB, version: 'v4' }, proto: { tcp: { sport: PORT, dport: sport } } });
  }

  const lines = printedBlock(out, String(syn!.e.common.timestamp));
  expect(lines[lines.length - 1]).toBe(
    `  ct_state NEW status 0x${Number(syn!.e.ct.ct_status).toString(16)} ` +
      `tcp (SYN_SENT) orig [${pair.addrB}.${sport} > ${pair.addrA}.${PORT}] reply [${pair.addrA}.${PORT} > ${pair.addrB}.${sport}] zone 0 mark 0`,
  );
});

test('UDP over IPv6 is reported with both tuples', () => {
  const [v6a, v6b] = ['2001:db8:c7::1', '2001:db8:c7::2'];
  inNs(pair.a, 'ip', ['-6', 'addr', 'add', `${v6a}/64`, 'dev', pair.vethA, 'nodad']);
  inNs(pair.b, 'ip', ['-6', 'addr', 'add', `${v6b}/64`, 'dev', pair.vethB, 'nodad']);
  const out = path.join(tmp, 'udp6.data');
  const send = `const s=require('dgram').createSocket('udp6');s.bind(5300,'${v6b}',()=>s.send('x',5353,'${v6a}',()=>s.close()))`;
  const r = runRetis(['collect', '-c', 'ct,dev', '-p', 'tp:net:net_dev_start_xmit', '-o', out,
    '--cmd', `ip netns exec ${pair.b} ${process.execPath} -e "${send}"`]);
  expectExit0(r);

  const udp = readEvents(out).filter((e) => e.dev?.name === pair.vethB && e.ct?.orig.proto.udp);
  expect(udp).toHaveLength(1);
  expect(udp[0].ct.state).toBe('new');
  expect(udp[0].ct.orig).toEqual({ ip: { src: v6b, dst: v6a, version: 'v6' }, proto: { udp: { sport: 5300, dport: 5353 } } });
  expect(udp[0].ct.reply).toEqual({ ip: { src: v6a, dst: v6b, version: 'v6' }, proto: { udp: { sport: 5353, dport: 5300 } } });
  expect(udp[0].ct).not.toHaveProperty('proto_state');
  const lines = printedBlock(out, String(udp[0].common.timestamp));
  expect(lines[lines.length - 1]).toBe(
    `  ct_state NEW status 0x${Number(udp[0].ct.ct_status).toString(16)} udp orig [${v6b}.5300 > ${v6a}.5353] reply [${v6a}.5353 > ${v6b}.5300] zone 0 mark 0`,
  );
});

test('packets of a namespace without conntrack get no ct section', () => {
  const out = path.join(tmp, 'untracked.data');
  const r = runRetis(['collect', '-c', 'ct,skb,dev', '-p', 'tp:net:net_dev_start_xmit', '-o', out,
    '--cmd', `ip netns exec ${pair.a} ping -c 1 ${pair.addrB}`]);
  expectExit0(r);
  const fromA = readEvents(out).filter((e) => e.dev?.name === pair.vethA);
  expect(fromA.length).toBeGreaterThan(0);
  // Namespace a has no rule that needs conntrack: its packets carry no entry,
  // and an event whose hooks add nothing is not sent at all.
  expect(fromA.every((e) => e.ct === undefined)).toBe(true);
});

/** Runs `body` with an extra nftables table in namespace b, removed afterwards whatever happens. */
function withTable<T>(ruleset: string, body: () => T): T {
  const file = path.join(tmp, 'ruleset.nft');
  fs.writeFileSync(file, ruleset);
  inNs(pair.b, 'nft', ['-f', file]);
  try {
    return body();
  } finally {
    inNs(pair.b, 'nft', ['delete', 'table', 'inet', 'ctx']);
  }
}

test('zone, mark and labels set by nftables are reported', () => {
  const out = path.join(tmp, 'marks.data');
  const ruleset = [
    'table inet ctx {',
    '  chain zone { type filter hook output priority -300; ct original zone set 5; }',
    '  chain marks { type filter hook output priority 0; ct mark set 0x2a ct label set 3 ct label set 100; }',
    '}',
  ].join('\n');
  const r = withTable(ruleset, () => runRetis(['collect', '-c', 'ct,skb,dev', '-p', 'tp:net:net_dev_start_xmit', '-o', out,
    '--cmd', `ip netns exec ${pair.b} ping -c 1 ${pair.addrA}`]));
  expectExit0(r);

  const request = readEvents(out).find((e) => e.dev?.name === pair.vethB && e.packet && decodePacket(e.packet.data).icmpType === 8);
  expect(request).toBeDefined();
  const ct = request!.ct;
  expect(ct.state).toBe('new');
  expect(ct.zone_id).toBe(5);
  expect(ct.zone_dir).toBe('Original');
  expect(ct.mark).toBe(0x2a);
  // Label n is bit n of the 128-bit mask: 3 in lo, 100 in hi.
  expect({ hi: BigInt(ct.labels.hi), lo: BigInt(ct.labels.lo) }).toEqual({ hi: 1n << 36n, lo: 1n << 3n });
  const lines = printedBlock(out, String(request!.common.timestamp));
  expect(lines[lines.length - 1]).toMatch(new RegExp(`\\] orig-zone 5 mark 42 labels 0x${((1n << 100n) | 8n).toString(16)}$`));
});

test('a connection expected by the FTP helper reports its master as parent', () => {
  const out = path.join(tmp, 'ftp.data');
  const dataPort = 40021;
  // Active FTP, just enough for the conntrack helper in b: b announces a data
  // port with PORT on the control connection; a connects to it.
  const server = path.join(tmp, 'ftp-server.js');
  fs.writeFileSync(server, `
    const net = require('net');
    const s = net.createServer((c) => {
      let buf = '';
      c.on('data', (d) => {
        buf += d;
        if (/USER \\S+\\r\\n$/.test(buf)) c.write('331 Password required\\r\\n');
        const m = /PORT (\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\r\\n/.exec(buf);
        if (!m) return;
        c.write('200 PORT command successful\\r\\n');
        const data = net.connect((+m[5] << 8) | +m[6], m.slice(1, 5).join('.'), () => data.end('data'));
        data.on('close', () => { c.end(); s.close(); });
      });
    }).listen(21, '${pair.addrA}');`);
  const client = path.join(tmp, 'ftp-client.js');
  fs.writeFileSync(client, `
    const net = require('net');
    const data = net.createServer((c) => { c.resume(); c.on('end', () => { c.end(); data.close(); }); });
    data.listen(${dataPort}, '${pair.addrB}', () => {
      let tries = 0;
      const go = () => {
        // The helper parses a command only after a first complete line.
        const ctl = net.connect(21, '${pair.addrA}', () => ctl.write('USER anonymous\\r\\n'));
        ctl.on('error', () => { if (++tries < 50) setTimeout(go, 100); });
        ctl.on('data', (d) => {
          if (String(d).startsWith('331')) ctl.write('PORT ${pair.addrB.replace(/\./g, ',')},${dataPort >> 8},${dataPort & 255}\\r\\n');
        });
      };
      go();
    });`);
  const script = path.join(tmp, 'ftp.sh');
  fs.writeFileSync(script, [
    `ip netns exec ${pair.a} ${process.execPath} ${server} &`,
    `ip netns exec ${pair.b} timeout 20 ${process.execPath} ${client}`,
    'wait',
  ].join('\n'));
  const ruleset = [
    'table inet ctx {',
    '  ct helper ftp-standard { type "ftp" protocol tcp; }',
    '  chain helpers { type filter hook output priority 0; tcp dport 21 ct helper set "ftp-standard"; }',
    '}',
  ].join('\n');
  const r = withTable(ruleset, () => runRetis(['collect', '-c', 'ct,skb,dev', '-p', 'tp:net:net_dev_start_xmit', '-o', out,
    '--cmd', `bash ${script}`]));
  expectExit0(r);

  const sent = readEvents(out)
    .filter((e) => e.dev?.name === pair.vethB && e.packet)
    .map((e) => ({ e, p: decodePacket(e.packet.data) }))
    .filter(({ p }) => p.proto === 6);
  // The control connection that got through (the client may have retried before the server listened).
  const control = sent.find(({ p }) => p.dport === 21 && p.tcpFlags === 0x10);
  const synAck = sent.find(({ p }) => p.sport === dataPort && (p.tcpFlags! & 0x12) === 0x12);
  expect(control).toBeDefined();
  expect(synAck).toBeDefined();
  const cport = control!.p.sport!;
  const aport = synAck!.p.dport!;

  const ct = synAck!.e.ct;
  expect(ct.state).toBe('reply');
  // IPS_EXPECTED: the connection was announced by the helper.
  expect(Number(ct.ct_status) & 0x1).toBe(0x1);
  expect(ct.orig).toEqual({ ip: { src: pair.addrA, dst: pair.addrB, version: 'v4' }, proto: { tcp: { sport: aport, dport: dataPort } } });
  expect(ct.parent.orig).toEqual({ ip: { src: pair.addrB, dst: pair.addrA, version: 'v4' }, proto: { tcp: { sport: cport, dport: 21 } } });
  expect(ct.parent.reply).toEqual({ ip: { src: pair.addrA, dst: pair.addrB, version: 'v4' }, proto: { tcp: { sport: 21, dport: cport } } });
  expect(ct.parent.proto_state).toBe('ESTABLISHED');

  const lines = printedBlock(out, String(synAck!.e.common.timestamp));
  expect(lines[lines.length - 1]).toBe(
    `  \\ parent [status 0x${Number(ct.parent.ct_status).toString(16)} tcp (ESTABLISHED) ` +
      `orig [${pair.addrB}.${cport} > ${pair.addrA}.21] reply [${pair.addrA}.21 > ${pair.addrB}.${cport}] zone 0 mark 0]`,
  );
});

describe('the ovs and nft collectors, which cannot run on this kernel yet', () => {
  test('-c auto skips them with a debug line and runs ct', () => {
    const r = runRetis(['--log-level', 'debug', 'collect', '-p', 'tp:net:netif_receive_skb', '-o', path.join(tmp, 'auto.data'), '--cmd', 'true']);
    expectExit0(r);
    expect(r.stderr).toContain('Collector ovs skipped: the ovs collector needs kprobes and the openvswitch module');
    expect(r.stderr).toContain('Collector nft skipped: nft verdict collection is not available yet');
    const started = /Collector\(s\) started: (.*)/.exec(r.stderr)?.[1].split(', ');
    expect(started).toContain('ct');
    expect(started).not.toContain('ovs');
    expect(started).not.toContain('nft');
  });

  test.each([
    ['ovs', 'the ovs collector needs kprobes and the openvswitch module'],
    ['nft', 'nft verdict collection is not available yet'],
  ])('-c %s is a clear error', (name, reason) => {
    const r = runRetis(['collect', '-c', name, '-p', 'tp:net:netif_receive_skb', '--cmd', 'true']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`Could not start collector '${name}': ${reason}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('retis print on files written by Retis', () => {
  const FIXTURES = path.resolve(__dirname, '../../test/fixtures/retis-1.7');

  test('prints the ct and ovs lines Retis printed', () => {
    const r = runRetis(['print', path.join(FIXTURES, 'test_events_packets.json')]);
    expectExit0(r);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    // As in the comments of test_events_packets.pcap, written by Retis.
    expect(lines).toContain(
      '  ct_state NEW status 0x8 icmp orig [192.168.125.10 > 192.168.125.11 type 8 code 0 id 29004] ' +
        'reply [192.168.125.11 > 192.168.125.10 type 0 code 0 id 29004] zone 0 mark 0',
    );
    expect(lines).toContain('  upcall (miss) port 3319069055 cpu 6');
    expect(lines).toContain('  upcall_ret (6/30419169098548) ret 0');
    expect(lines).toContain('  exec oport 4');
  });

  test('stops at the first ct section without ct_status, after printing what precedes it', () => {
    const r = runRetis(['print', path.join(FIXTURES, 'test_events_packets_invalid_ct.json')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/test_events_packets_invalid_ct\.json:8: .*ct_status/);
    // Lines 2 to 7 are events (line 1 is the startup event).
    expect(r.stdout.split('\n\n').filter((b) => /^\d+ \(\d+\) /.test(b))).toHaveLength(6);
  });
});
