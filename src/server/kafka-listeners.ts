// The Kafka client listeners of a broker: one KafkaServer per listener that is not a controller
// listener, all with the same handlers, each with the TLS and SASL its security protocol asks for
// (listener.security.protocol.map, ssl.*, sasl.*; src/security/listener-auth.ts). SaslHandshake
// and SaslAuthenticate are registered here for ApiVersions and for the listeners without SASL
// (or a connection already logged in), which answer them ILLEGAL_SASL_STATE as Kafka's KafkaApis
// does; a SASL listener answers them itself while a connection authenticates. Who calls: startBroker.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ErrorCode } from '../common/errors.js';
import type { NodeConfig } from '../common/node-config.js';
import type { KafkaApiRegistry } from '../broker/api-context.js';
import type { MetadataImage } from '../metadata/image.js';
import { saslAuthenticateApi } from '../protocol/messages/sasl-authenticate.js';
import { saslHandshakeApi } from '../protocol/messages/sasl-handshake.js';
import { AuthMetrics } from '../security/auth-metrics.js';
import { ListenerAuthenticator } from '../security/listener-auth.js';
import { KafkaServer } from './kafka-server.js';
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
  handlers: KafkaApiRegistry,
  image: () => MetadataImage | null,
): Promise<KafkaListeners> {
  registerSaslOutsideLogin(handlers);
  const servers: KafkaServer[] = [];
  const ports = new Map<string, number>();
  const metrics = new KafkaRequestMetrics(registry, handlers.apiNames());
  const clientListeners = config.listeners.filter((l) => !config.controllerListenerNames.includes(l.name));
  const authMetrics = new AuthMetrics(
    registry,
    clientListeners.flatMap((l) => {
      const sasl = config.listenerSecurity.get(l.name)?.sasl;
      return sasl ? [{ listener: l.name, mechanisms: sasl.enabledMechanisms }] : [];
    }),
  );
  for (const listener of clientListeners) {
    const security = config.listenerSecurity.get(listener.name);
    const server = new KafkaServer({
      listener,
      logger: logger.child({ component: 'kafka-server', listener: listener.name }),
      metrics,
      requestBytesMax: config.socketRequestMaxBytes,
      handlers,
      ...(security && security.protocol !== 'PLAINTEXT'
        ? { auth: new ListenerAuthenticator(listener.name, security, config.sourcePath, image, authMetrics) }
        : {}),
    });
    ports.set(listener.name, await server.start());
    servers.push(server);
  }
  return { servers, ports };
}

function registerSaslOutsideLogin(handlers: KafkaApiRegistry): void {
  if (handlers.has(saslHandshakeApi.key)) return;
  handlers.register(saslHandshakeApi, () => ({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }));
  handlers.register(saslAuthenticateApi, () => ({
    errorCode: ErrorCode.ILLEGAL_SASL_STATE,
    errorMessage: 'SaslAuthenticate request received after successful authentication',
    authBytes: Buffer.alloc(0),
  }));
}
