// `--command-config FILE` for every client-side command, as Kafka's tools take it: a Kafka client
// properties file (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.* PEM settings;
// src/security/client-security.ts reads it). Relative file locations in it are read from the
// file's own directory. Commands that talk to the controllers over gRPC (--bootstrap-controller)
// take the flag too: security.protocol=SSL there is mutual TLS with the file's keystore (a
// certificate of the cluster's CA) and truststore; SASL is refused (the gRPC links do not speak it).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseProperties } from '../common/properties.js';
import type { RpcClientSecurity } from '../rpc/rpc-security.js';
import { type ClientSecurity, clientSecurityFromProperties, plaintextClient } from '../security/client-security.js';
import { rpcClientSecurityFromClient } from '../security/rpc-tls.js';
import { exitWithError } from './errors.js';

export interface CommandConfigArgs {
  'command-config'?: string;
}

export const commandConfigOption = {
  type: 'string',
  describe: 'Kafka client properties file: security.protocol, sasl.mechanism, sasl.jaas.config, ssl.* (PEM)',
} as const;

function readCommandConfig(file: string): Map<string, string> {
  try {
    return parseProperties(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--command-config ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The TLS and SASL settings of `--command-config` (PLAINTEXT without one). */
export function clientSecurityOf(args: CommandConfigArgs): ClientSecurity {
  const file = args['command-config'];
  if (file === undefined) return plaintextClient;
  return clientSecurityFromProperties(readCommandConfig(file), dirname(file));
}

/**
 * For --bootstrap-controller commands: how to reach the controller listener (PLAINTEXT, or SSL:
 * mutual TLS with the keystore and truststore of the command config). A bad file exits.
 */
export function controllerSecurityOf(args: CommandConfigArgs): RpcClientSecurity {
  try {
    const file = args['command-config'];
    const security = clientSecurityOf(args);
    if (security.sasl)
      throw new Error(
        `--command-config ${file} asks for ${security.protocol}, but a controller listener takes PLAINTEXT or SSL (mutual TLS); ` +
          'use --bootstrap-server with this file where the command offers it, or a file with security.protocol=SSL and a keystore',
      );
    return rpcClientSecurityFromClient(security);
  } catch (err) {
    exitWithError(err);
  }
}
