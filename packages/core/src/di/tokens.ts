/**
 * Dependency-injection tokens. Symbol.for keys are shared by every copy of
 * this package in a process, so a collector built against another copy still
 * resolves the same services.
 */
export const coreTokens = {
  /** Logger */
  logger: Symbol.for('retis.core.logger'),
  /** BpfNative from @retis/bpf-native (absent when only post-processing). */
  bpfBackend: Symbol.for('retis.core.bpfBackend'),
  /** KernelInspector */
  kernelInspector: Symbol.for('retis.core.kernelInspector'),
} as const;
