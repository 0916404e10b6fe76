/**
 * @retis/core: the event model and events files, console output, the
 * collector API, and collection. Importing it never loads the native addon.
 */
import 'reflect-metadata';

export { injectable, inject, injectAll, container } from 'tsyringe';
export { Option, UsageError } from 'clipanion';

export * from './errors';
export * from './log';
export * from './version';
export * from './events';
export * from './display';
export * from './process';
export * from './di/tokens';
export * from './collector/definition';
export * from './collector/discovery';
export * from './collector/helpers';
export * from './kernel/inspector';
export * from './kernel/btf-params';
export * from './kernel/tracefs';
export * from './kernel/kallsyms';
export * from './kernel/wildcard';
export * from './probe/spec';
export * from './probe/probe-config';
export * from './probe/manager';
export * from './probe/listing';
export * from './collect/options';
export * from './collect/collection';
export * from './filters';
export * from './profiles';
