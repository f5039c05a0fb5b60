/** Child processes the probe tests cause and then look for. */
import { spawn } from 'node:child_process';

/** Runs `command args` to completion; resolves with its pid and exit code. */
export function run(command: string, args: string[]): Promise<{ pid: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ pid: child.pid ?? -1, code }));
  });
}

/** A marker unique to this test run, for argv and file names the probes must report back. */
export function uniqueMarker(prefix: string): string {
  return `${prefix}-${process.pid}-${process.hrtime.bigint().toString(36)}`;
}
