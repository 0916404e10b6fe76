/**
 * `retis profile list` (reference §8.4): every profile of every profile
 * directory, in search order, grouped by file.
 */
import { Command } from 'clipanion';
import { errorMessage, existingProfileDirs, profileDirs, readProfileDir } from '@retis/core';
import { RetisCommand } from './base';

export class ProfileListCommand extends RetisCommand {
  // `retis profile` alone lists too, as in the reference.
  static override paths = [['profile', 'list'], ['profile']];
  static override usage = Command.Usage({
    description: 'List available profiles',
    details: `
      Prints, for each profile directory in search order (\`-P DIR\`, \`$HOME/.config/retis/profiles/\`,
      \`/usr/share/retis/profiles/\`, \`/etc/retis/profiles/\`, then the built-in profiles), each YAML file
      holding profiles, followed by one line per profile: its name and what it is about. Use a profile with
      \`retis -p NAME collect\`.
    `,
    examples: [['List profiles, including those of a directory', 'retis -P ./my-profiles profile list']],
  });

  protected async run(): Promise<number> {
    const { globals } = this.context.runtime;
    const dirs = profileDirs({ extraDir: globals.extraProfilesDir, env: this.context.env });
    let out = '';
    for (const dir of existingProfileDirs(dirs, this.log, globals.extraProfilesDir)) {
      const files = readProfileDir(dir, this.log, (file, e) => this.log.warn(`Skipping invalid file ${file}: ${errorMessage(e)}`));
      for (const { file, profiles } of files) {
        if (profiles.length === 0) continue;
        out += `${file}:\n`;
        for (const p of profiles) out += `  ${p.name.padEnd(20)} ${p.about ?? ''}\n`;
      }
    }
    this.context.stdout.write(out);
    return 0;
  }
}
