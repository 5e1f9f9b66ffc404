// The client side of a SASL login for raftka's own client: PLAIN's one message, or SCRAM's two
// round trips (scram-exchange.ts), as a token in / token out exchange that the connection drives
// over SaslAuthenticate. Who calls: src/client/kafka-connection.ts.
import type { ClientSasl } from './client-security.js';
import { plainClientMessage } from './sasl-plain.js';
import { scramIterationsMin } from './scram.js';
import { ScramClientExchange } from './scram-exchange.js';

export interface SaslClientExchange {
  /** The first token to send. */
  first(): Buffer;
  /** The next token to send after the server's `token`, or null when the login is complete (throws if the server is not to be trusted). */
  respond(token: Buffer): Buffer | null;
}

export function saslClientExchange(sasl: ClientSasl): SaslClientExchange {
  if (sasl.mechanism === 'PLAIN')
    return { first: () => plainClientMessage(sasl.username, sasl.password), respond: () => null };
  const scram = new ScramClientExchange(
    sasl.mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512',
    sasl.username,
    sasl.password,
  );
  let round = 0;
  return {
    first: () => scram.first(),
    respond: (token) => {
      round++;
      if (round === 1) return scram.final(token, scramIterationsMin);
      scram.verify(token);
      return null;
    },
  };
}
