import { loadConfig, parseConfig } from '../config/load-config.js';
import { VigilService } from '../serve/vigil-service.js';

/**
 * `vigil serve [--config vigil.yaml]`: runs the service until SIGTERM or SIGINT, then stops cleanly (state saved).
 * Without `--config` every default applies.
 */
export async function serveCommand(args: { config?: string }): Promise<void> {
  const config = args.config ? loadConfig(args.config) : parseConfig({});
  const service = await VigilService.start(config);
  const lines = [
    service.http && `OTLP/HTTP ${service.http.url}/v1/metrics`,
    service.grpc && `OTLP/gRPC ${service.grpc.address}`,
    service.admin && `admin ${service.admin.url}/healthz /readyz /metrics`,
    service.store && `state ${service.store.file} every ${config.state.intervalSeconds} s`,
  ].filter(Boolean);
  console.log(`vigil serve: ${lines.join('; ')}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`vigil serve: ${signal}, saving state and stopping`);
      service.stop().then(resolve, (e) => {
        console.error(`vigil serve: stopping failed: ${String(e)}`);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
