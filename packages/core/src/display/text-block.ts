/**
 * Indentation the way the reference's Formatter applies it: text is added
 * at an indentation level; every line after a newline gets that many spaces
 * (empty lines get none), and the first line of the block can carry an
 * item marker (`↳`) two columns left of the text. In single-line output no
 * newline is ever added, so nothing gets indented but the block's start.
 */
export class TextBlock {
  private out = '';
  private first = true;
  private atLineStart = true;

  /** @param item marker put in the first line's indentation (levels >= 2 only). */
  constructor(private readonly item?: string) {}

  add(level: number, text: string): void {
    if (text.length === 0) return;
    const spaces = ' '.repeat(level);
    let prefix = spaces;
    if (this.first && level >= 2 && this.item !== undefined) {
      prefix = spaces.slice(0, level - 2) + this.item + spaces.slice(level - 1);
    }
    let nl = text.indexOf('\n');
    if (this.atLineStart) {
      this.out += prefix;
      this.atLineStart = false;
    }
    this.out += nl === -1 ? text : text.slice(0, nl);
    while (nl !== -1) {
      const next = text.indexOf('\n', nl + 1);
      const line = next === -1 ? text.slice(nl + 1) : text.slice(nl + 1, next);
      this.out += line.length > 0 ? '\n' + spaces + line : '\n';
      nl = next;
    }
    if (text.charCodeAt(text.length - 1) === 0x0a) this.atLineStart = true;
    this.first = false;
  }

  toString(): string {
    return this.out;
  }
}
