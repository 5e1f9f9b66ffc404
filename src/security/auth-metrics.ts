// Authentication metrics of the Kafka listeners, one set per node (Kafka's
// successful-authentication-total / failed-authentication-total / successful-reauthentication-total
// and expired-connections-killed-count of the selector). Who calls: src/server/kafka-listeners.ts
// makes them, kafka-server.ts and sasl-server.ts count.
import { Counter, type Registry } from 'prom-client';

export class AuthMetrics {
  /** SASL logins by listener, mechanism and result (success | failure); re-authentications included. */
  readonly saslAuthentications: Counter<'listener' | 'mechanism' | 'result'>;
  /** TLS handshakes that failed (no or untrusted client certificate, protocol mismatch, ...). */
  readonly tlsHandshakeFailures: Counter<'listener'>;
  /** Connections closed because their SASL session expired (connections.max.reauth.ms). */
  readonly expiredConnectionsKilled: Counter<'listener'>;

  constructor(registry: Registry, saslListeners: readonly { listener: string; mechanisms: readonly string[] }[]) {
    const registers = [registry];
    this.saslAuthentications = new Counter({
      name: 'raftka_sasl_authentications_total',
      help: 'SASL authentications by listener, mechanism and result (Kafka: successful-/failed-authentication-total)',
      labelNames: ['listener', 'mechanism', 'result'],
      registers,
    });
    this.tlsHandshakeFailures = new Counter({
      name: 'raftka_tls_handshake_failures_total',
      help: 'TLS handshakes that failed on a Kafka listener (Kafka: failed-authentication-total on SSL)',
      labelNames: ['listener'],
      registers,
    });
    this.expiredConnectionsKilled = new Counter({
      name: 'raftka_expired_connections_killed_total',
      help: 'Connections closed because the SASL session expired (Kafka: expired-connections-killed-count)',
      labelNames: ['listener'],
      registers,
    });
    // Zero series at once, so a dashboard sees them before the first login.
    for (const { listener, mechanisms } of saslListeners)
      for (const mechanism of mechanisms)
        for (const result of ['success', 'failure']) this.saslAuthentications.inc({ listener, mechanism, result }, 0);
  }
}
