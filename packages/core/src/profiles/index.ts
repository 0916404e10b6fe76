/** Profiles: YAML bundles of command-line arguments, their search and their expansion (reference §8). */
export * from './profile';
export * from './api-version';
export * from './kernel-version';
export * from './parse';
export * from './conditions';
export * from './kernel-facts';
export * from './search';
export * from './expand';
export * from './repeated-options';
