/**
 * The traced service, run as its own process: `http` (node:http, a small JSON answer) or `grpc`
 * (@grpc/grpc-js, the Greeter). Prints `{"port": N}` once listening; exits when stdin closes.
 */
import { createServer } from 'node:http';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { greeterService, type HelloReply, type HelloRequest } from './greeter.ts';

const kind = process.argv[2];
let served = 0;

/** A little CPU per request, as a real handler would spend (and so that overhead is a fraction of real work). */
function work(seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < 2000; i++) h = Math.imul(h ^ seed.charCodeAt(i % seed.length), 16777619);
  return h >>> 0;
}

if (kind === 'http') {
  const server = createServer((req, res) => {
    served++;
    const body = JSON.stringify({ path: req.url, hash: work(req.url ?? '/') });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    console.log(JSON.stringify({ port: (server.address() as { port: number }).port }));
  });
} else if (kind === 'grpc') {
  const server = new Server();
  server.addService(greeterService, {
    SayHello: (
      call: { request: HelloRequest },
      callback: (error: Error | null, reply?: HelloReply) => void,
    ) => {
      served++;
      callback(null, { message: `hello ${call.request.name} ${work(call.request.name)}` });
    },
  });
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    console.log(JSON.stringify({ port }));
  });
} else {
  console.error('usage: services.ts http|grpc');
  process.exit(2);
}
process.stdin.on('end', () => process.exit(0));
process.stdin.on('data', (chunk: Buffer) => {
  for (const c of chunk.toString()) if (c === '?') console.log(served);
});
process.stdin.resume();
