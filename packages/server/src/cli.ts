#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { VigilError } from '@vigil/core';
import { serveCommand } from './cli/serve-command.js';

const USAGE = `Usage:
  vigil serve [--config vigil.yaml]      run the service: OTLP in (4318 HTTP, 4317 gRPC), detection, outputs
  vigil detect <data.csv> [options]      batch detection on a CSV file, events table and an HTML report
  vigil help                             this text

vigil detect options:
  --time <column>       timestamp column (default: the first)
  --detector <kind>     detector kind (default: ensemble)
  --train <fraction>    share of the rows used to fit, 0-1 (default: 0.5)
  --report <file.html>  where to write the report (default: <data>.report.html)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'serve') {
    const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } } });
    await serveCommand(values);
    return 0;
  }
  if (command === 'detect') {
    const { detectCommand } = await import('./cli/detect-command.js');
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        time: { type: 'string' },
        detector: { type: 'string' },
        train: { type: 'string' },
        report: { type: 'string' },
      },
    });
    return detectCommand(positionals[0], values);
  }
  console.error(`vigil: unknown command '${command}'.\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    // Configuration and input errors are for the person at the terminal: the message, not a stack.
    if (
      e instanceof VigilError ||
      ((e as Error)?.name === 'TypeError' &&
        /parseArgs|ERR_PARSE_ARGS/.test(String((e as NodeJS.ErrnoException).code)))
    )
      console.error(`vigil: ${(e as Error).message}`);
    else console.error(e);
    process.exitCode = 1;
  },
);
