export * from './time';
export * from './text-block';
export * from './event-text';
export * from './series-text';
