/** A raw event or section that cannot be decoded; the message says what is wrong. */
export class RawSectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RawSectionError';
  }
}
