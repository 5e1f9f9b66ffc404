// The Kafka client listeners of a broker: one KafkaServer per listener that is not a controller
// listener, all with the same handlers. Who calls: startBroker.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { NodeConfig } from '../common/node-config.js';
import { KafkaServer, type KafkaServerOptions } from './kafka-server.js';
import { KafkaRequestMetrics } from './kafka-request-metrics.js';

interface KafkaListeners {
  readonly servers: readonly KafkaServer[];
  /** Bound ports by listener name. */
  readonly ports: ReadonlyMap<string, number>;
}

export async function startKafkaListeners(
  config: NodeConfig,
  logger: Logger,
  registry: Registry,
  handlers: KafkaServerOptions['handlers'],
): Promise<KafkaListeners> {
  const servers: KafkaServer[] = [];
  const ports = new Map<string, number>();
  const metrics = new KafkaRequestMetrics(registry, handlers.apiNames());
  for (const listener of config.listeners.filter((l) => !config.controllerListenerNames.includes(l.name))) {
    const server = new KafkaServer({
      listener,
      logger: logger.child({ component: 'kafka-server', listener: listener.name }),
      metrics,
      requestBytesMax: config.socketRequestMaxBytes,
      handlers,
    });
    ports.set(listener.name, await server.start());
    servers.push(server);
  }
  return { servers, ports };
}
