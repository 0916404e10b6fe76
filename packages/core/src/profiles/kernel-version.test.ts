import { kernelVersionMatches, parseKernelRelease, parseKernelVersionReq } from './kernel-version';

describe('kernel release', () => {
  it.each([
    ['6.2.14-300.fc38.x86_64', 6, 2, 14, 300],
    ['6.2.0-20-generic', 6, 2, 0, 20],
    ['6.2.14.fc38.x86_64', 6, 2, 14, undefined],
    ['6.4.12-arch1-1', 6, 4, 12, 1],
    ['6.18.44-fc-v769', 6, 18, 44, undefined],
    ['6.1.0+', 6, 1, 0, undefined],
  ])('%s', (release, major, minor, patch, build) => {
    expect(parseKernelRelease(release)).toEqual({ major, minor, patch, build, full: release });
  });

  it('needs major.minor.patch', () => {
    expect(() => parseKernelRelease('6.2')).toThrow('Could not get kernel patch-build version from 6.2');
    expect(() => parseKernelRelease('six.2.1')).toThrow('Could not get kernel major version from six.2.1');
  });
});

describe('kernel version requirements', () => {
  const fc38 = parseKernelRelease('6.2.14-300.fc38.x86_64');
  const matches = (req: string, v = fc38) => kernelVersionMatches(parseKernelVersionReq(req), v);

  it.each([
    ['= 6.2.14-300', true], ['= 6.2.14', true], ['= 6.2.15', false], ['= 6.2', true], ['= 6', true], ['= 7', false],
    ['!= 6.2.14-301', true], ['!= 6.3', true], ['!= 5', true], ['!= 6.2.14', false],
    ['> 6.2.14-200', true], ['> 6.1', true], ['> 5', true], ['> 6.2', false],
    ['>= 6.2.14-200', true], ['>= 6.2.14-300', true], ['>= 6.2.14', true], ['>= 6.2.10', true], ['>= 6.2', true],
    ['>= 5.14', true], ['>= 6', true], ['>= 5', true],
    ['< 6.2.14-301', true], ['< 6.2.14', false], ['<= 6.2', true], ['< 6.10', true], ['< 6.1.99', false],
    ['=6.2.*', true], ['>=6.2*', true],
  ])('6.2.14-300 against %j: %s', (req, expected) => {
    expect(matches(req)).toBe(expected);
  });

  it('takes two comparators joined by a comma, both must hold', () => {
    expect(matches('>4.6.1, <5.1.1', parseKernelRelease('4.6.1'))).toBe(false);
    expect(matches('>4.6.1, <5.1.1', parseKernelRelease('4.6.2'))).toBe(true);
    expect(matches('>4.6.1, <5.1.1', parseKernelRelease('5.1.0'))).toBe(true);
    expect(matches('>4.6.1, <5.1.1', parseKernelRelease('5.1.1'))).toBe(false);
    expect(matches(' >= 5.17 ,< 6.8 ', parseKernelRelease('6.7.3'))).toBe(true);
  });

  it('places a release without build after any build of the same patch', () => {
    const noBuild = parseKernelRelease('6.2.14');
    expect(matches('> 6.2.14-300', noBuild)).toBe(true);
    expect(matches('= 6.2.14-300', noBuild)).toBe(false);
  });

  it.each([
    ['>4, <5, !=4.3', 'at most two comparators are supported'],
    ['4.6.1', 'expected OP MAJOR[.MINOR[.PATCH[-BUILD]]]'],
    ['=> 4', 'expected OP MAJOR'],
    ['>= 4.6.1 <= 5', 'expected OP MAJOR'],
    ['> 4,', 'expected OP MAJOR'],
    ['', 'expected OP MAJOR'],
  ])('refuses %j', (req, message) => {
    expect(() => parseKernelVersionReq(req)).toThrow(message);
  });
});
