import { apiSupport, parseApiVersion } from './api-version';

describe('profile API version', () => {
  it('reads X.Y', () => {
    expect(parseApiVersion('1.0')).toEqual({ major: 1, minor: 0 });
    expect(parseApiVersion('999.123123')).toEqual({ major: 999, minor: 123123 });
  });

  it.each([
    ['1', 'Too few numeric values. Two values (X.Y) must be provided'],
    ['1.2.3', 'Too many numeric values. Only two (X.Y) are supported'],
    ['', 'Text is empty'],
    ['1.x', "Failed to parse minor version number: 'x' is not a number"],
    ['-1.0', "Failed to parse major version number: '-1' is not a number"],
  ])('refuses %j', (text, message) => {
    expect(() => parseApiVersion(text)).toThrow(message);
  });

  it('supports the same major fully up to our minor, partially above, not another major', () => {
    const ours = { major: 1, minor: 2 };
    expect(apiSupport({ major: 1, minor: 2 }, ours)).toBe('full');
    expect(apiSupport({ major: 1, minor: 1 }, ours)).toBe('full');
    expect(apiSupport({ major: 1, minor: 4 }, ours)).toBe('partial');
    expect(apiSupport({ major: 2, minor: 1 }, ours)).toBe('unsupported');
    expect(apiSupport({ major: 0, minor: 9 }, ours)).toBe('unsupported');
  });

  it('is 1.0 here: 1.1 is partial', () => {
    expect(apiSupport({ major: 1, minor: 0 })).toBe('full');
    expect(apiSupport({ major: 1, minor: 1 })).toBe('partial');
  });
});
