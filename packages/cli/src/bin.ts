/** Process wiring of the `retis` binary; everything else is in main(). */
import { main } from './main';

main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`Error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 70;
  },
);
