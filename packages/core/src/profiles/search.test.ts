import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  builtinProfilesDir, findProfile, profileDirs, readProfileDir, resolveProfileEntry, SYSTEM_PROFILE_DIRS,
} from './search';
import { recordingLog } from './test-support/recording-log';

const profile = (name: string, about = `about ${name}`) => `version: 1.0\nname: ${name}\nabout: ${about}\n`;

describe('profile search', () => {
  let tmp: string;
  const dir = (name: string, files: Record<string, string>) => {
    const d = path.join(tmp, name);
    fs.mkdirSync(d, { recursive: true });
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(d, f), text);
    return `${d}/`;
  };
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'retis-profiles-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('profileDirs', () => {
    it('searches -P, then $HOME, the system directories, the built-ins', () => {
      expect(profileDirs({ extraDir: 'mine', env: { HOME: '/home/u' }, builtinDir: '/src/profiles/' }))
        .toEqual(['mine', '/home/u/.config/retis/profiles/', '/usr/share/retis/profiles/', '/etc/retis/profiles/', '/src/profiles/']);
      expect(SYSTEM_PROFILE_DIRS).toEqual(['/usr/share/retis/profiles/', '/etc/retis/profiles/']);
    });

    it('leaves out what is not set', () => {
      expect(profileDirs({ env: {}, builtinDir: null })).toEqual(['/usr/share/retis/profiles/', '/etc/retis/profiles/']);
    });

    it('finds the built-in profiles of this source tree', () => {
      const root = path.resolve(__dirname, '../../../..');
      expect(builtinProfilesDir()).toBe(`${path.join(root, 'profiles')}/`);
      expect(profileDirs({ env: {} }).at(-1)).toBe(builtinProfilesDir());
    });
  });

  describe('findProfile', () => {
    it('takes the first directory holding the name', () => {
      const first = dir('first', { 'a.yaml': profile('shared', 'from first') });
      const second = dir('second', { 'b.yml': `${profile('shared', 'from second')}---\n${profile('only-second')}` });
      const log = recordingLog();
      expect(findProfile('shared', [first, second], log).about).toBe('from first');
      expect(findProfile('only-second', [first, second], log).source).toBe(path.join(second, 'b.yml'));
    });

    it('refuses two profiles of one name in one directory', () => {
      const d = dir('d', { 'a.yaml': profile('x'), 'b.yaml': profile('x') });
      expect(() => findProfile('x', [d], recordingLog())).toThrow(`Found two profiles with name 'x' in ${d}`);
    });

    it('says which name was not found', () => {
      const d = dir('d', { 'a.yaml': profile('x') });
      expect(() => findProfile('y', [d, path.join(tmp, 'missing')], recordingLog())).toThrow(/^Profile with name y not found$/);
    });

    it('reads only .yaml and .yml files and skips invalid ones', () => {
      const d = dir('d', {
        'a.yaml.bak': profile('bak'), 'notes.txt': profile('txt'), 'bad.yaml': 'version: 1\nname: bad\n', 'ok.yml': profile('ok'),
      });
      const log = recordingLog();
      expect(findProfile('ok', [d], log).name).toBe('ok');
      expect(() => findProfile('bak', [d], log)).toThrow('Profile with name bak not found');
      expect(() => findProfile('txt', [d], log)).toThrow('Profile with name txt not found');
      expect(() => findProfile('bad', [d], log)).toThrow('Profile with name bad not found');
      expect(log.lines.debug).toContain(
        `Skipping invalid file ${path.join(d, 'bad.yaml')}: ${path.join(d, 'bad.yaml')}:1: version: invalid profile version '1': `
        + 'Too few numeric values. Two values (X.Y) must be provided');
    });

    it('warns when the -P directory does not exist', () => {
      const missing = path.join(tmp, 'nope');
      const d = dir('d', { 'a.yaml': profile('x') });
      const log = recordingLog();
      expect(findProfile('x', [missing, d], log, missing).name).toBe('x');
      expect(log.lines.warn).toEqual([`Profile directory ${missing} does not exist`]);
    });
  });

  describe('readProfileDir', () => {
    it('lists files by name with their profiles, reporting invalid ones', () => {
      const d = dir('d', { 'z.yaml': profile('z'), 'a.yaml': `${profile('a1')}---\n${profile('a2')}`, 'b.yaml': 'name: [' });
      const invalid: string[] = [];
      const files = readProfileDir(d, recordingLog(), (f) => invalid.push(f));
      expect(files.map((f) => [path.basename(f.file), f.profiles.map((p) => p.name)])).toEqual([['a.yaml', ['a1', 'a2']], ['z.yaml', ['z']]]);
      expect(invalid).toEqual([path.join(d, 'b.yaml')]);
    });
  });

  describe('resolveProfileEntry', () => {
    it('reads an entry naming a file as one profile, whatever its directory', () => {
      const file = path.join(tmp, 'single.yaml');
      fs.writeFileSync(file, profile('from-file'));
      expect(resolveProfileEntry(file, [], recordingLog()).name).toBe('from-file');
    });

    it('refuses a multi-document file given directly', () => {
      const file = path.join(tmp, 'two.yaml');
      fs.writeFileSync(file, `${profile('a')}---\n${profile('b')}`);
      expect(() => resolveProfileEntry(file, [], recordingLog())).toThrow('must hold exactly one profile (found 2)');
    });

    it('looks other entries up by name', () => {
      const d = dir('d', { 'p.yaml': profile('named') });
      expect(resolveProfileEntry('named', [d], recordingLog()).name).toBe('named');
      // A directory is not a profile file.
      expect(() => resolveProfileEntry(tmp, [d], recordingLog())).toThrow(`Profile with name ${tmp} not found`);
    });
  });
});
