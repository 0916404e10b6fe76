import { readFileSync } from 'fs';
import { resolve } from 'path';
import { gunzipSync } from 'zlib';
import { configEnabledOrUnknown, conntrackAvailability, type ConntrackFacts, loadedModules } from './availability';
import { parseKernelConfig } from './kconfig';

const FIXTURES = resolve(__dirname, '../../../test/fixtures/retis-1.7');
const fedoraConfig = parseKernelConfig(readFileSync(resolve(FIXTURES, 'config-6.3.0-0.rc7.56.fc39.x86_64'), 'utf8'));
const fedoraModules = loadedModules(readFileSync(resolve(FIXTURES, 'modules'), 'utf8'));

const nothing: ConntrackFacts = { moduleLoaded: false, btfHasNfConn: false, procEntry: false };

describe('conntrackAvailability', () => {
  it('runs on a kernel with conntrack built in', () => {
    expect(conntrackAvailability({ ...nothing, kconfig: parseKernelConfig('CONFIG_NF_CONNTRACK=y\n') })).toMatchObject({ available: true });
  });

  it('needs the module loaded when conntrack is a module (the Fedora fixture has it unloaded)', () => {
    expect(fedoraModules.has('rfkill')).toBe(true);
    expect(fedoraModules.has('nf_conntrack')).toBe(false);
    const facts = { ...nothing, kconfig: fedoraConfig, moduleLoaded: fedoraModules.has('nf_conntrack') };
    expect(conntrackAvailability(facts)).toEqual({ available: false, reason: "'nf_conntrack' is not loaded" });
    expect(conntrackAvailability({ ...facts, moduleLoaded: true })).toMatchObject({ available: true });
  });

  it('refuses a kernel configured without conntrack, whatever else it shows', () => {
    const off = parseKernelConfig('# CONFIG_NF_CONNTRACK is not set\n');
    expect(conntrackAvailability({ kconfig: off, moduleLoaded: true, btfHasNfConn: true, procEntry: true })).toEqual({
      available: false,
      reason: 'This kernel does not support connection tracking',
    });
  });

  it('without a readable config, runs when BTF or procfs shows conntrack and refuses otherwise', () => {
    expect(conntrackAvailability({ ...nothing, btfHasNfConn: true })).toMatchObject({ available: true });
    expect(conntrackAvailability({ ...nothing, procEntry: true })).toMatchObject({ available: true });
    const refused = conntrackAvailability(nothing);
    expect(refused.available).toBe(false);
    expect(refused).toHaveProperty('reason', expect.stringMatching(/^This kernel does not support connection tracking \(kernel config unreadable/));
  });

  it("runs on this machine's kernel", () => {
    // The test machine's kernel has conntrack built in (its config is in /proc/config.gz).
    const config = parseKernelConfig(gunzipSync(readFileSync('/proc/config.gz')).toString());
    expect(conntrackAvailability({ ...nothing, kconfig: config })).toMatchObject({ available: true });
  });
});

describe('configEnabledOrUnknown', () => {
  it('is true for =y and for an unknown config only', () => {
    expect(configEnabledOrUnknown(fedoraConfig, 'CONFIG_NF_CONNTRACK_MARK')).toBe(true);
    expect(configEnabledOrUnknown(fedoraConfig, 'CONFIG_NF_CONNTRACK')).toBe(false);
    expect(configEnabledOrUnknown(fedoraConfig, 'CONFIG_NOT_THERE')).toBe(false);
    expect(configEnabledOrUnknown(undefined, 'CONFIG_NF_CONNTRACK_MARK')).toBe(true);
  });
});
