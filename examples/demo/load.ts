/**
 * The demo's load generator, run as its own process so that Vigil's model fits in the main process do not slow the
 * traffic down: `RATE` requests a second to `http://127.0.0.1:PORT/api/checkout` over keep-alive connections.
 * Answers `{ sent }` and exits when the parent sends `stop`, or exits when the parent goes away.
 */
import { Agent, request } from 'node:http';

const port = Number(process.env.PORT);
const rate = Number(process.env.RATE ?? 40);
const agent = new Agent({ keepAlive: true, maxSockets: 32 });
let sent = 0;
const perTick = rate / 20;
let owed = 0;
setInterval(() => {
  owed += perTick;
  for (; owed >= 1; owed--) {
    sent++;
    request({ host: '127.0.0.1', port, path: '/api/checkout', agent }, (res) => res.resume())
      .on('error', () => undefined)
      .end();
  }
}, 50);

process.on('message', (m) => {
  if (m !== 'stop') return;
  agent.destroy();
  process.send!({ sent }, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
