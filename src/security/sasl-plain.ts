// SASL PLAIN (RFC 4616), server and client tokens. The client's single message is
// [authzid] NUL authcid NUL passwd (UTF-8); Kafka refuses an authzid other than the username.
// The server checks the password with a PasswordCheck (sasl-server.ts builds it from the
// listener's JAAS users and the SCRAM credentials in the metadata image).

export class PlainParseError extends Error {
  override readonly name = 'PlainParseError';
}

export interface PlainCredentials {
  readonly authzid: string;
  readonly username: string;
  readonly password: string;
}

/** Reads a PLAIN client message; throws PlainParseError on a malformed one. */
export function parsePlainMessage(token: Buffer): PlainCredentials {
  const parts = token.toString('utf8').split('\u0000');
  if (parts.length !== 3) throw new PlainParseError('Invalid SASL/PLAIN response: expected 3 tokens');
  const [authzid, username, password] = parts as [string, string, string];
  if (username === '') throw new PlainParseError('Authentication failed: username not specified');
  if (password === '') throw new PlainParseError('Authentication failed: password not specified');
  if (authzid !== '' && authzid !== username)
    throw new PlainParseError(
      'Authentication failed: Client requested an authorization id that is different from username',
    );
  return { authzid, username, password };
}

export function plainClientMessage(username: string, password: string): Buffer {
  return Buffer.from(`\u0000${username}\u0000${password}`, 'utf8');
}
