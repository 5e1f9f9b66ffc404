// The Kafka-protocol listeners of a node: a broker's client listeners (every listener that is not
// a controller listener) and a controller's Kafka listeners (KIP-919: controller.listener.names
// after the first). One KafkaServer per listener, all of a set with the same handlers, each with
// the TLS and SASL its security protocol asks for (listener.security.protocol.map, ssl.*, sasl.*;
// src/security/listener-auth.ts). SaslHandshake and SaslAuthenticate are registered here for
// ApiVersions and for the listeners without SASL (or a connection already logged in), which
// answer them ILLEGAL_SASL_STATE as Kafka's KafkaApis does; a SASL listener answers them itself
// while a connection authenticates. The request and authentication metrics and the ACL
// enforcement are one per node (KafkaListenerShared), whichever roles open listeners.
// Who calls: startNode (the shared part), startBroker and startControllerKafkaListeners.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ErrorCode } from '../common/errors.js';
import { controllerKafkaListeners, type Listener, type NodeConfig } from '../common/node-config.js';
import type { KafkaApiRegistry } from '../broker/api-context.js';
import { BrokerAuthorization } from '../broker/authorization.js';
import type { MetadataImage } from '../metadata/image.js';
import { saslAuthenticateApi } from '../protocol/messages/sasl-authenticate.js';
import { saslHandshakeApi } from '../protocol/messages/sasl-handshake.js';
import { AuthMetrics } from '../security/auth-metrics.js';
import { AclAuthorizer } from '../security/authorizer.js';
import { ListenerAuthenticator } from '../security/listener-auth.js';
import { KafkaServer } from './kafka-server.js';
import { KafkaRequestMetrics } from './kafka-request-metrics.js';

interface KafkaListeners {
  readonly servers: readonly KafkaServer[];
  /** Bound ports by listener name. */
  readonly ports: ReadonlyMap<string, number>;
}

/** What every Kafka listener of a node shares: request metrics, authentication metrics, ACL enforcement. */
export interface KafkaListenerShared {
  readonly metrics: KafkaRequestMetrics;
  readonly authMetrics: AuthMetrics;
  /** ACL enforcement (BrokerAuthorization.none when `authorizer.class.name` is unset). */
  readonly authorization: BrokerAuthorization;
}

/** A broker's client listeners: every listener not named in controller.listener.names. */
export function brokerClientListeners(config: NodeConfig): Listener[] {
  return config.listeners.filter((l) => !config.controllerListenerNames.includes(l.name));
}

export function createKafkaListenerShared(
  config: NodeConfig,
  logger: Logger,
  registry: Registry,
  image: () => MetadataImage | null,
): KafkaListenerShared {
  const kafkaListeners = [
    ...(config.processRoles.includes('broker') ? brokerClientListeners(config) : []),
    ...controllerKafkaListeners(config),
  ];
  return {
    metrics: new KafkaRequestMetrics(registry, []),
    authMetrics: new AuthMetrics(
      registry,
      kafkaListeners.flatMap((l) => {
        const sasl = config.listenerSecurity.get(l.name)?.sasl;
        return sasl ? [{ listener: l.name, mechanisms: sasl.enabledMechanisms }] : [];
      }),
    ),
    authorization: kafkaAuthorization(config, registry, logger, image),
  };
}

export async function startKafkaListeners(
  config: NodeConfig,
  logger: Logger,
  shared: KafkaListenerShared,
  handlers: KafkaApiRegistry,
  image: () => MetadataImage | null,
  listeners: readonly Listener[],
): Promise<KafkaListeners> {
  registerSaslOutsideLogin(handlers);
  shared.metrics.zeroApis(handlers.apiNames());
  const servers: KafkaServer[] = [];
  const ports = new Map<string, number>();
  for (const listener of listeners) {
    const security = config.listenerSecurity.get(listener.name);
    const server = new KafkaServer({
      listener,
      logger: logger.child({ component: 'kafka-server', listener: listener.name }),
      metrics: shared.metrics,
      requestBytesMax: config.socketRequestMaxBytes,
      handlers,
      ...(security && security.protocol !== 'PLAINTEXT'
        ? { auth: new ListenerAuthenticator(listener.name, security, config.sourcePath, image, shared.authMetrics) }
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

/** ACL enforcement as configured: the standard authorizer over the node's current image, or none. */
function kafkaAuthorization(
  config: NodeConfig,
  registry: Registry,
  logger: Logger,
  image: () => MetadataImage | null,
): BrokerAuthorization {
  if (!config.authorizerEnabled) return BrokerAuthorization.none;
  const noAcls: MetadataImage['acls'] = new Map();
  const authorizer = new AclAuthorizer(
    { superUsers: new Set(config.superUsers), allowEveryoneIfNoAclFound: config.allowEveryoneIfNoAclFound },
    () => image()?.acls ?? noAcls,
  );
  logger.info(
    { superUsers: config.superUsers, allowEveryoneIfNoAclFound: config.allowEveryoneIfNoAclFound },
    'ACLs are enforced (StandardAuthorizer)',
  );
  return new BrokerAuthorization(authorizer, { logger, registry });
}
