export * from './output';
export * from './input';
export * from './print';
export * from './stats';
