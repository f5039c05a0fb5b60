import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { VigilInputError } from '../../src/errors.js';
import type { Incident } from '../../src/pipeline/incidents.js';
import { AUDIT_ATTRIBUTES } from '../../src/response/audit-log.js';
import { ResponseEngine } from '../../src/response/response-engine.js';
import type { ActionExecutor, ResponseAction, ResponsePolicy } from '../../src/response/types.js';

const MIN = 60_000;

function incident(id: string, over: Partial<Incident> = {}): Incident {
  return {
    id,
    start: 0,
    end: 10 * MIN,
    events: [],
    series: ['checkout/latency', 'db/latency'],
    peakScore: 0.99999,
    severity: 'critical',
    open: true,
    rootCauses: {
      causes: [],
      summary: 'db/latency rose 3 min before checkout/latency and checkout calls db',
      usedTopology: true,
    },
    ...over,
  };
}

const withRoot = (id: string, root: string, over: Partial<Incident> = {}) => {
  const i = incident(id, over);
  return {
    ...i,
    rootCauses: {
      ...i.rootCauses!,
      causes: [
        {
          rank: 1,
          seriesKey: root,
          service: root.split('/')[0],
          score: 0.7,
          onset: 0,
          direction: 'rose' as const,
          magnitude: 9,
          baseline: 20,
          level: 80,
          explanation: '',
        },
      ],
    },
  };
};

const scaleOut: ResponsePolicy = {
  name: 'scale-out-root-cause',
  on: 'incident',
  match: { severity: 'critical', minDuration: 5 * MIN },
  action: {
    type: 'scale',
    target: { kind: 'Deployment', namespace: 'shop', name: '{service}' },
    min: 2,
    max: 10,
  },
};

/** An executor that records what it is asked to do. */
function recorder(type: ResponseAction['type']) {
  const calls: ResponseAction[] = [];
  const planned: ResponseAction[] = [];
  const executor: ActionExecutor = {
    type,
    plan: async (a) => {
      planned.push(a);
      return `would ${a.type} (planned)`;
    },
    execute: async (a) => {
      calls.push(a);
      return `${a.type} done`;
    },
  };
  return { executor, calls, planned };
}

function auditLogs() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  return { exporter, provider, logger: provider.getLogger('test') };
}

describe('ResponseEngine', () => {
  it('is a dry run by default: plans the action on the root cause service, logs it, changes nothing', async () => {
    const { executor, calls, planned } = recorder('scale');
    const { exporter, provider, logger } = auditLogs();
    const engine = new ResponseEngine({ policies: [scaleOut], executors: [executor], logger });
    const [d] = await engine.handleIncident(withRoot('inc-1', 'db/latency'), 'opened');
    expect(engine.dryRun).toBe(true);
    expect(d).toMatchObject({
      outcome: 'dry-run',
      policy: 'scale-out-root-cause',
      subject: 'inc-1',
      target: 'scale Deployment shop/db by +1 within [2, 10]',
      detail: 'would scale (planned)',
      dryRun: true,
    });
    expect(d.reason).toBe(
      'critical incident inc-1 on 2 series: db/latency rose 3 min before checkout/latency and checkout calls db',
    );
    expect(calls).toHaveLength(0);
    expect(planned).toHaveLength(1);
    await provider.forceFlush();
    const records = exporter.getFinishedLogRecords();
    expect(records).toHaveLength(1);
    expect(records[0].attributes[AUDIT_ATTRIBUTES.outcome]).toBe('dry-run');
    expect(records[0].attributes[AUDIT_ATTRIBUTES.target]).toBe(
      'scale Deployment shop/db by +1 within [2, 10]',
    );
    expect(String(records[0].body)).toMatch(
      /^would scale Deployment shop\/db .*because critical incident inc-1/,
    );
  });

  it('matches on severity, duration, series and root-cause globs, and never on a closed incident', async () => {
    const policies: ResponsePolicy[] = [
      { ...scaleOut, name: 'a' },
      {
        name: 'b',
        on: 'incident',
        match: { series: 'payments/*', severity: 'warning' },
        action: { type: 'exec', command: 'true' },
      },
      {
        name: 'c',
        on: 'incident',
        match: { rootCause: 'db/*' },
        action: { type: 'webhook', url: 'http://hooks.local/{incident}' },
      },
    ];
    const engine = new ResponseEngine({ policies, cooldown: 0, rateLimit: { burst: 100, perMinute: 100 } });
    const names = async (i: Incident, c: 'opened' | 'updated' | 'closed' = 'opened') =>
      (await engine.handleIncident(i, c)).map((d) => d.policy);
    expect(await names(withRoot('i1', 'db/latency'))).toEqual(['a', 'c']);
    expect(await names(withRoot('i2', 'db/latency', { severity: 'warning' }))).toEqual(['c']);
    expect(await names(withRoot('i3', 'checkout/latency', { end: 2 * MIN }))).toEqual([]);
    expect(await names(withRoot('i4', 'payments/errors', { series: ['payments/errors'] }))).toEqual([
      'a',
      'b',
    ]);
    expect(await names(withRoot('i5', 'db/latency'), 'closed')).toEqual([]);
    // One decision per policy and incident, however often it grows; closing it forgets it.
    expect(await names(withRoot('i1', 'db/latency'), 'updated')).toEqual([]);
    expect(await names(withRoot('i1', 'db/latency'), 'closed')).toEqual([]);
    expect(engine.decisions.find((d) => d.policy === 'c')!.action).toEqual({
      type: 'webhook',
      url: 'http://hooks.local/i1',
      headers: undefined,
    });
  });

  it('acts on forecasts whose ETA is short enough', async () => {
    const { executor, calls } = recorder('restart');
    const engine = new ResponseEngine({
      policies: [
        {
          name: 'restart-before-oom',
          on: 'forecast',
          match: { etaBelow: 2 * 3_600_000, series: '*/heap' },
          action: { type: 'restart', target: { kind: 'StatefulSet', namespace: 'data', name: '{service}' } },
        },
      ],
      executors: [executor],
      dryRun: false,
    });
    expect(await engine.handleForecast({ seriesKey: 'api/heap', eta: 5 * 3_600_000 })).toEqual([]);
    expect(await engine.handleForecast({ seriesKey: 'api/heap', eta: null })).toEqual([]);
    const [d] = await engine.handleForecast({
      seriesKey: 'api/heap',
      eta: 3_600_000,
      summary: 'api heap reaches 512 MB in 1.0 h',
    });
    expect(d).toMatchObject({
      outcome: 'executed',
      detail: 'restart done',
      reason: 'api heap reaches 512 MB in 1.0 h',
    });
    expect(calls).toEqual([
      { type: 'restart', target: { kind: 'StatefulSet', namespace: 'data', name: 'api' } },
    ]);
  });

  it('holds under a storm: never more actions than the cooldown, rate limit and hourly cap allow', async () => {
    const { executor, calls } = recorder('scale');
    let now = 0;
    const engine = new ResponseEngine({
      policies: [scaleOut],
      executors: [executor],
      dryRun: false,
      cooldown: 10 * MIN,
      rateLimit: { burst: 3, perMinute: 1 },
      maxActionsPerHour: 5,
      clock: () => now,
    });
    // 2 000 incidents over two hours, spread over 50 root-cause services, many arriving at once.
    const services = Array.from({ length: 50 }, (_, i) => `svc${i}`);
    const decisions = [];
    for (let k = 0; k < 2000; k++) {
      now = Math.floor(k / 20) * 72_000; // bursts of 20 every 1.2 minutes
      decisions.push(engine.handleIncident(withRoot(`inc-${k}`, `${services[k % 50]}/latency`), 'opened'));
    }
    const all = (await Promise.all(decisions)).flat();
    expect(all).toHaveLength(2000);
    expect(engine.decisions).toHaveLength(1000);
    const executed = all.filter((d) => d.outcome === 'executed');
    expect(calls).toHaveLength(executed.length);
    // Hourly cap: in every hour-long window at most 5 actions.
    const times = executed.map((d) => d.time).sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++) {
      expect(times.filter((t) => t >= times[i] && t < times[i] + 3_600_000).length).toBeLessThanOrEqual(5);
    }
    // Rate limit: at most 3 within any minute (burst 3, one a minute after).
    for (let i = 0; i < times.length; i++) {
      expect(times.filter((t) => t >= times[i] && t < times[i] + MIN).length).toBeLessThanOrEqual(3);
    }
    // Cooldown: no target acted on twice within 10 minutes.
    const byTarget = new Map<string, number[]>();
    for (const d of executed) byTarget.set(d.target, [...(byTarget.get(d.target) ?? []), d.time]);
    for (const ts of byTarget.values())
      for (let i = 1; i < ts.length; i++) expect(ts[i] - ts[i - 1]).toBeGreaterThanOrEqual(10 * MIN);
    // Two hours of storm: the hourly cap binds (5 + 5), and every other decision says which guardrail held.
    expect(executed.length).toBe(10);
    expect([...new Set(all.map((d) => d.outcome))].sort()).toEqual([
      'cooldown',
      'executed',
      'hourly-limit',
      'rate-limited',
    ]);
  });

  it('asks the approval hook, and a no, a throw or a timeout means no action and no used-up guardrail', async () => {
    const { executor, calls } = recorder('scale');
    const answers: Array<boolean | 'throw' | 'hang'> = [false, 'throw', 'hang', true];
    const asked: string[] = [];
    const engine = new ResponseEngine({
      policies: [scaleOut],
      executors: [executor],
      dryRun: false,
      maxActionsPerHour: 1,
      approvalTimeout: 50,
      approve: (d) => {
        asked.push(d.target);
        const a = answers.shift();
        if (a === 'throw') throw new Error('pager down');
        if (a === 'hang') return new Promise<boolean>(() => {});
        return a as boolean;
      },
    });
    const outcomes = [];
    for (let k = 0; k < 4; k++) {
      const [d] = await engine.handleIncident(withRoot(`inc-${k}`, 'db/latency'), 'opened');
      outcomes.push([d.outcome, d.detail]);
    }
    expect(outcomes).toEqual([
      ['rejected', 'the approval hook said no'],
      ['rejected', 'the approval hook failed: pager down'],
      ['rejected', 'no approval within 50 ms'],
      ['executed', 'scale done'],
    ]);
    expect(asked).toHaveLength(4);
    expect(calls).toHaveLength(1);
  });

  it('records failures and missing executors as decisions instead of throwing', async () => {
    const failing: ActionExecutor = {
      type: 'scale',
      execute: async () => {
        throw new Error('deployments.apps "db" not found');
      },
    };
    const engine = new ResponseEngine({
      policies: [
        scaleOut,
        { name: 'hook', on: 'incident', action: { type: 'webhook', url: 'https://x.test/' } },
      ],
      executors: [failing],
      dryRun: false,
    });
    const ds = await engine.handleIncident(withRoot('inc-1', 'db/latency'), 'opened');
    expect(ds.map((d) => [d.policy, d.outcome, d.detail])).toEqual([
      ['scale-out-root-cause', 'failed', 'deployments.apps "db" not found'],
      ['hook', 'no-executor', "no executor registered for 'webhook' actions"],
    ]);
  });

  it('rejects bad policies at construction with the field named', () => {
    const bad = (p: unknown) => () => new ResponseEngine({ policies: [p as ResponsePolicy] });
    expect(bad({ ...scaleOut, action: { ...scaleOut.action, max: 1 } })).toThrow(
      /policies\[0\]\.action\.max/,
    );
    expect(bad({ ...scaleOut, on: 'alert' })).toThrow(/policies\[0\]\.on/);
    expect(bad({ ...scaleOut, action: { type: 'delete' } })).toThrow(VigilInputError);
    expect(bad({ name: 'w', on: 'incident', action: { type: 'webhook', url: 'ftp://x' } })).toThrow(
      /http\(s\) URL/,
    );
    expect(() => new ResponseEngine({ policies: [scaleOut, scaleOut] })).toThrow(/used twice/);
    expect(() => new ResponseEngine({ policies: [], maxActionsPerHour: 0 })).toThrow(/maxActionsPerHour/);
  });
});
