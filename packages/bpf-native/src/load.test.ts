import { join } from 'path';

import { bindingCandidates, createBpfNative, loadNativeBinding } from './index';

describe('loading the addon', () => {
  it('looks in build/Release then build/Debug of the package', () => {
    expect(bindingCandidates('/pkg')).toEqual(['/pkg/build/Release/bpf_native.node', '/pkg/build/Debug/bpf_native.node']);
  });

  it('says every path it tried when the addon is missing', () => {
    expect(() => loadNativeBinding({ nativeBinding: '/nowhere/bpf_native.node' })).toThrow(
      /compiled addon not found \(tried \/nowhere\/bpf_native\.node\); build it with/,
    );
  });

  it('loads the addon only when first used', () => {
    const missing = createBpfNative({ nativeBinding: '/nowhere/bpf_native.node' });
    expect(() => missing.features().ringbuf).toThrow(/compiled addon not found/);
  });

  it('loads the built addon', () => {
    const native = loadNativeBinding({ nativeBinding: join(__dirname, '..', 'build', 'Release', 'bpf_native.node') });
    expect(typeof (native as { openObject?: unknown }).openObject).toBe('function');
  });
});
