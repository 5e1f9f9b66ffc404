// `--command-config FILE` for every client-side command, as Kafka's tools take it: a Kafka client
// properties file (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.* PEM settings;
// src/security/client-security.ts reads it). Relative file locations in it are read from the
// file's own directory. Commands that talk to the controllers over gRPC (--bootstrap-controller)
// take the flag too, but refuse TLS and SASL settings: those links are not secured yet.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseProperties } from '../common/properties.js';
import { type ClientSecurity, clientSecurityFromProperties, plaintextClient } from '../security/client-security.js';

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

/** For --bootstrap-controller commands: a command config may only say PLAINTEXT. */
export function checkControllerCommandConfig(args: CommandConfigArgs): void {
  const file = args['command-config'];
  if (file === undefined) return;
  const protocol = (readCommandConfig(file).get('security.protocol') ?? 'PLAINTEXT').trim().toUpperCase();
  if (protocol !== 'PLAINTEXT')
    throw new Error(
      `--command-config ${file} asks for ${protocol}, but the controllers' gRPC listener has no TLS or SASL yet; ` +
        'use --bootstrap-server with this file where the command offers it, or leave the file out for --bootstrap-controller',
    );
}
