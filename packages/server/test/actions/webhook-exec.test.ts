import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResponseDecision } from '@vigil/core';
import { describe, expect, it } from 'vitest';
import { execExecutor } from '../../src/actions/exec.js';
import { webhookExecutor } from '../../src/actions/webhook.js';

const decision = {
  id: 'dec-1',
  time: 0,
  policy: 'page',
  trigger: 'incident',
  subject: 'inc-7',
  action: { type: 'webhook', url: 'http://x' },
  target: 'webhook http://x',
  reason: 'critical incident inc-7 on 2 series: db/latency rose 3 min before checkout/latency',
  outcome: 'executed',
  detail: '',
  dryRun: false,
} as ResponseDecision;

describe('webhook executor', () => {
  it('POSTs the decision as JSON with the configured headers, and fails on a non-2xx answer', async () => {
    const got: Array<{ method?: string; headers: Record<string, unknown>; body: unknown }> = [];
    let answer = 204;
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        got.push({ method: req.method, headers: req.headers, body: JSON.parse(text) });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const ex = webhookExecutor();
      const action = { type: 'webhook' as const, url, headers: { authorization: 'Bearer t' } };
      expect(await ex.plan!(action, decision)).toBe(`would POST the decision to ${url}`);
      expect(got).toHaveLength(0);
      expect(await ex.execute(action, decision)).toBe(`POST ${url} answered 204`);
      expect(got[0]).toMatchObject({
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
        body: { decision: { id: 'dec-1', subject: 'inc-7', reason: decision.reason } },
      });
      answer = 503;
      await expect(ex.execute(action, decision)).rejects.toThrow(`POST ${url} answered 503`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('exec executor', () => {
  it('runs the command without a shell, with the decision in its environment', async () => {
    const ex = execExecutor();
    const out = await ex.execute(
      {
        type: 'exec',
        command: process.execPath,
        args: [
          '-e',
          'const d = JSON.parse(process.env.VIGIL_DECISION); console.log(d.subject, process.argv[1])',
          '$(rm -rf /)',
        ],
      },
      decision,
    );
    expect(out).toBe(`${process.execPath} exited 0: inc-7 $(rm -rf /)`);
  });

  it('fails with the exit code and stderr, and kills a command that overruns its timeout', async () => {
    const ex = execExecutor();
    await expect(
      ex.execute(
        {
          type: 'exec',
          command: process.execPath,
          args: ['-e', 'console.error("no quota"); process.exit(3)'],
        },
        decision,
      ),
    ).rejects.toThrow(/exit 3: no quota/);
    await expect(
      ex.execute(
        {
          type: 'exec',
          command: process.execPath,
          args: ['-e', 'setTimeout(() => {}, 10000)'],
          timeoutMs: 200,
        },
        decision,
      ),
    ).rejects.toThrow(/killed after 200 ms/);
  });
});
