import { CommanderError } from 'commander';
import { type CliIo, processIo } from './io.js';
import { buildProgram } from './program.js';

/** Runs the CLI; returns the exit code. Every failure is one line on stderr: `attune: <what is wrong>`. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors are already printed.
      return error.exitCode === 0 ? 0 : 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`attune: ${message.split('\n')[0]}\n`);
    if (process.env.ATTUNE_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return 1;
  }
}
