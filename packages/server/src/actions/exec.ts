import { execFile } from 'node:child_process';
import type { ActionExecutor, ExecAction } from '@vigil/core';

/** Longest output kept in a decision's detail, characters. */
const MAX_DETAIL = 500;

/**
 * Runs the action's command with its arguments directly (no shell, so placeholders cannot inject commands),
 * with `VIGIL_DECISION` (the decision as JSON) in its environment. A non-zero exit, a signal or the timeout
 * (default 30 s) fails the action with the command's stderr.
 *
 * @example
 * const policy = { name: 'page', on: 'incident', action: { type: 'exec', command: '/usr/local/bin/page', args: ['{incident}'] } };
 */
export function execExecutor(): ActionExecutor<ExecAction> {
  return {
    type: 'exec',
    plan: async (action) => `would run ${[action.command, ...(action.args ?? [])].join(' ')}`,
    execute: (action, decision) =>
      new Promise((resolve, reject) => {
        execFile(
          action.command,
          [...(action.args ?? [])],
          {
            timeout: action.timeoutMs ?? 30_000,
            env: { ...process.env, VIGIL_DECISION: JSON.stringify(decision) },
            maxBuffer: 1024 * 1024,
          },
          (error, stdout, stderr) => {
            const out = String(stdout).trim().slice(0, MAX_DETAIL);
            if (error) {
              const why = error.killed
                ? `killed after ${action.timeoutMs ?? 30_000} ms`
                : `exit ${error.code ?? error.signal}`;
              reject(
                new Error(
                  `${action.command}: ${why}${stderr ? `: ${String(stderr).trim().slice(0, MAX_DETAIL)}` : ''}`,
                ),
              );
              return;
            }
            resolve(`${action.command} exited 0${out ? `: ${out}` : ''}`);
          },
        );
      }),
  };
}
