import { Command } from 'commander';
import { registerBenchCommand } from './commands/bench.js';
import { registerDataCommand } from './commands/data.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerInfoCommand } from './commands/info.js';
import { registerListCommand } from './commands/list.js';
import { registerRunCommand } from './commands/run.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTuneCommand } from './commands/tune.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerZooCommand } from './commands/zoo.js';
import type { CliIo } from './io.js';
import { cliVersion } from './version.js';

export function buildProgram(io: CliIo): Command {
  const program = new Command('attune')
    .description('Test-time adaptation and parameter-efficient prompt tuning of pretrained models.')
    .version(cliVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError(true);
  registerListCommand(program, io);
  registerInfoCommand(program, io);
  registerDataCommand(program, io);
  registerZooCommand(program, io);
  registerRunCommand(program, io);
  registerServeCommand(program, io);
  registerTuneCommand(program, io);
  registerEvalCommand(program, io);
  registerBenchCommand(program, io);
  registerWorkerCommand(program, io);
  return program;
}
