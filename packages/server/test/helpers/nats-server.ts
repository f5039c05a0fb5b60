import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A nats-server with JetStream that a test or benchmark started, on a free port with its own store folder. */
export interface NatsServerProcess {
  url: string;
  port: number;
  storeDir: string;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 3 s), keeping its store: an outage that `restart` ends. */
  halt(): Promise<void>;
  /** Starts the server again on the same port and store (halting it first if it runs). */
  restart(): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL after 3 s) and removes the store folder. */
  stop(): Promise<void>;
}

/**
 * Why the cluster tests cannot run here (no `nats-server` on PATH), or undefined when they can. With
 * `VIGIL_REQUIRE_NATS=1` (CI) a missing server is an error instead of a reason to skip.
 */
export function natsUnavailable(): string | undefined {
  const probe = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (!probe.error && probe.status === 0) return undefined;
  const reason = `nats-server is not on PATH (${probe.error ? String(probe.error.message) : `exit ${probe.status}`}); install the Debian package 'nats-server' to run the cluster tests`;
  if (process.env.VIGIL_REQUIRE_NATS === '1') throw new Error(`VIGIL_REQUIRE_NATS=1 but ${reason}`);
  return reason;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.connect(port, '127.0.0.1');
  });
}

/** Spawns nats-server on `port` with store `storeDir`; resolves once it accepts connections. */
async function spawnNats(port: number, storeDir: string) {
  const child = spawn('nats-server', ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d) => {
    log = (log + String(d)).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not start on port ${port}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const halt = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
  };
  return { child, halt };
}

/** Starts `nats-server -js` on a free local port with a temporary store; resolves once it accepts connections. */
export async function startNatsServer(): Promise<NatsServerProcess> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'vigil-nats-'));
  let running: Awaited<ReturnType<typeof spawnNats>>;
  try {
    running = await spawnNats(port, storeDir);
  } catch (e) {
    rmSync(storeDir, { recursive: true, force: true });
    throw e;
  }
  const server: NatsServerProcess = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    process: running.child,
    halt: () => running.halt(),
    async restart() {
      await running.halt();
      running = await spawnNats(port, storeDir);
      server.process = running.child;
    },
    async stop() {
      await running.halt();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  return server;
}
