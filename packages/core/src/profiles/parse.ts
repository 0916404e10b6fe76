/**
 * Profile YAML → Profile (reference §8.1). The YAML is walked node by node
 * rather than converted to plain values: `version: 1.0` must keep its text
 * ("1.0", not the number 1), and an argument written `20` must be refused
 * (numbers are quoted in profiles) while `~` stays a bare flag.
 *
 * `yaml` is loaded on first use: most runs never read a profile.
 */
import type * as Yaml from 'yaml';
import { RetisError, RetisErrorCode, errorMessage } from '../errors';
import type { Logger } from '../log';
import { apiSupport, formatApiVersion, parseApiVersion, PROFILE_API_VERSION } from './api-version';
import { parseKernelVersionReq } from './kernel-version';
import {
  DEFAULT_SECTION_NAME, PROFILE_SUBCOMMANDS, type Profile, type ProfileArgValue, type ProfileCondition,
  type SubcommandProfile,
} from './profile';

export interface ParseProfilesOptions {
  /** File name, for messages and `Profile.source`. */
  source: string;
  /** Version warnings go here. */
  log: Logger;
  /**
   * A file given directly with `-p`: exactly one document, and a profile
   * whose API version is not supported is an error rather than skipped.
   */
  single?: boolean;
}

let yamlModule: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yamlModule ??= require('yaml') as typeof Yaml;
  return yamlModule;
}

/** Parses every profile of a file; an invalid document makes the whole file invalid. */
export function parseProfiles(text: string, opts: ParseProfilesOptions): Profile[] {
  const Y = yaml();
  const lines = new Y.LineCounter();
  const parsed = Y.parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  // An empty document (a trailing `---`) holds no profile.
  const empty = (d: Yaml.Document.Parsed) => d.contents === null || (Y.isScalar(d.contents) && d.contents.value === null);
  const docs = Array.isArray(parsed) ? parsed.filter((d) => d.errors.length > 0 || !empty(d)) : [];
  if (opts.single && docs.length !== 1) {
    throw new RetisError(`${opts.source}: a profile file given with -p must hold exactly one profile (found ${docs.length})`, RetisErrorCode.Profile);
  }
  const out: Profile[] = [];
  for (const doc of docs) {
    const walker = new Walker(Y, doc, lines, opts.source);
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      throw walker.error(e.pos[0], '', e.message.split('\n')[0]);
    }
    const profile = walker.profile();
    const support = apiSupport(profile.version);
    if (support === 'partial') {
      opts.log.warn(`("${opts.source}") ${profile.name}: retis' profile engine (${formatApiVersion(PROFILE_API_VERSION)}) `
        + `only supports profile version (${profile.versionText}) partially. Some bits of configuration might not be applied.`);
    } else if (support === 'unsupported') {
      const msg = `("${opts.source}") ${profile.name}: retis' profile engine (${formatApiVersion(PROFILE_API_VERSION)}) `
        + `does not support profile version (${profile.versionText})`;
      if (opts.single) throw new RetisError(msg, RetisErrorCode.Profile);
      opts.log.warn(`${msg}. Skipping.`);
      continue;
    }
    out.push(profile);
  }
  return out;
}

type Node = Yaml.Node | null | undefined;

/** Reads one document, with the line and key path of anything wrong in it. */
class Walker {
  constructor(
    private readonly Y: typeof Yaml,
    private readonly doc: Yaml.Document.Parsed,
    private readonly lines: Yaml.LineCounter,
    private readonly source: string,
  ) {}

  profile(): Profile {
    const root = this.map(this.doc.contents, '', 'a profile');
    const versionNode = this.field(root, 'version', '', true);
    const versionText = this.text(versionNode, 'version');
    let version;
    try {
      version = parseApiVersion(versionText);
    } catch (e) {
      throw this.error(versionNode, 'version', `invalid profile version '${versionText}': ${errorMessage(e)}`);
    }
    const name = this.text(this.field(root, 'name', '', true), 'name');
    const aboutNode = this.field(root, 'about', '', false);
    const about = aboutNode === undefined || this.isNull(aboutNode) ? undefined : this.text(aboutNode, 'about');
    const sections: Profile['sections'] = {};
    for (const sub of PROFILE_SUBCOMMANDS) {
      const node = this.field(root, sub, '', false);
      if (node === undefined || this.isNull(node)) continue;
      sections[sub] = this.seq(node, sub).items.map((s, i) => this.section(s as Node, `${sub}[${i}]`));
    }
    return { name, versionText, version, about, sections, source: this.source };
  }

  private section(node: Node, path: string): SubcommandProfile {
    const map = this.map(node, path, 'a section');
    const nameNode = this.field(map, 'name', path, false);
    const name = nameNode === undefined || this.isNull(nameNode) ? DEFAULT_SECTION_NAME : this.text(nameNode, `${path}.name`);
    const whenNode = this.field(map, 'when', path, false);
    const when = whenNode === undefined || this.isNull(whenNode)
      ? []
      : this.seq(whenNode, `${path}.when`).items.map((c, i) => this.condition(c as Node, `${path}.when[${i}]`));
    const argsNode = this.field(map, 'args', path, true);
    const args = new Map<string, ProfileArgValue>();
    if (!this.isNull(argsNode)) {
      for (const pair of this.map(argsNode, `${path}.args`, 'a mapping of arguments').items) {
        const key = this.text(this.resolve(pair.key as Node), `${path}.args`);
        args.set(key, this.argValue(this.resolve(pair.value as Node), `${path}.args.${key}`));
      }
    }
    return { name, when, args };
  }

  private condition(node: Node, path: string): ProfileCondition {
    const map = this.map(node, path, 'a condition');
    const typeNode = this.field(map, 'type', path, true);
    const type = this.text(typeNode, `${path}.type`);
    if (type === 'version') {
      const reqNode = this.field(map, 'version', path, true);
      try {
        return { type, requirement: parseKernelVersionReq(this.text(reqNode, `${path}.version`)) };
      } catch (e) {
        throw this.error(reqNode, `${path}.version`, errorMessage(e));
      }
    }
    if (type === 'symbol') {
      const name = this.text(this.field(map, 'name', path, true), `${path}.name`);
      const existsNode = this.field(map, 'exists', path, false);
      let exists = true;
      if (existsNode !== undefined) {
        const v = this.Y.isScalar(existsNode) ? existsNode.value : undefined;
        if (typeof v !== 'boolean') throw this.error(existsNode, `${path}.exists`, 'expected true or false');
        exists = v;
      }
      return { type, name, exists };
    }
    throw this.error(typeNode, `${path}.type`, `unknown condition type '${type}' (expected 'version' or 'symbol')`);
  }

  private argValue(node: Node, path: string): ProfileArgValue {
    if (this.isNull(node)) return { kind: 'flag' };
    if (this.Y.isSeq(node)) {
      return { kind: 'sequence', values: node.items.map((item, i) => this.argString(this.resolve(item as Node), `${path}[${i}]`)) };
    }
    return { kind: 'single', value: this.argString(node, path) };
  }

  /** Argument values are strings: `20` or `true` must be quoted, as in the reference. */
  private argString(node: Node, path: string): string {
    if (this.Y.isScalar(node) && typeof node.value === 'string') return node.value;
    if (this.Y.isScalar(node) && node.value !== null) {
      const text = node.source ?? String(node.value);
      throw this.error(node, path, `expected a string, found ${typeof node.value} ${text} (quote it: "${text}")`);
    }
    throw this.error(node, path, 'expected a string, a list of strings, or ~ for a flag');
  }

  // --- node helpers ---

  private resolve(node: Node): Node {
    return this.Y.isAlias(node) ? (node.resolve(this.doc) as Node) : node;
  }

  private isNull(node: Node): boolean {
    return node === null || node === undefined || (this.Y.isScalar(node) && node.value === null);
  }

  private map(node: Node, path: string, what: string): Yaml.YAMLMap {
    node = this.resolve(node);
    if (!this.Y.isMap(node)) throw this.error(node, path, `${what} must be a mapping`);
    return node;
  }

  private seq(node: Node, path: string): Yaml.YAMLSeq {
    node = this.resolve(node);
    if (!this.Y.isSeq(node)) throw this.error(node, path, 'expected a list');
    return node;
  }

  /** A scalar's text as written: `1.0` stays "1.0", `123` reads as "123". */
  private text(node: Node, path: string): string {
    node = this.resolve(node);
    if (this.Y.isScalar(node) && node.value !== null && typeof node.value !== 'object') {
      return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
    }
    throw this.error(node, path, 'expected a string');
  }

  private field(map: Yaml.YAMLMap, key: string, path: string, required: true): Node;
  private field(map: Yaml.YAMLMap, key: string, path: string, required: false): Node | undefined;
  private field(map: Yaml.YAMLMap, key: string, path: string, required: boolean): Node | undefined {
    const pair = map.items.find((p) => {
      const k = this.resolve(p.key as Node);
      return this.Y.isScalar(k) && String(k.value) === key;
    });
    if (!pair) {
      if (required) throw this.error(map, path, `missing field '${key}'`);
      return undefined;
    }
    return this.resolve(pair.value as Node);
  }

  /** `<file>:<line>: <key path>: <message>`. */
  error(at: Node | number, path: string, msg: string): RetisError {
    const offset = typeof at === 'number' ? at : at?.range?.[0];
    const where = offset === undefined ? this.source : `${this.source}:${this.lines.linePos(offset).line}`;
    return new RetisError(`${where}: ${path ? `${path}: ` : ''}${msg}`, RetisErrorCode.Profile);
  }
}
