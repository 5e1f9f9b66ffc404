// sasl.jaas.config values, as Kafka writes them:
//   org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cret";
// One login module, a control flag, then key=value options (values quoted with "..." and \"
// escapes, or bare words), ending in ';'. Clients take username/password from it; a broker's
// PLAIN listener takes its users from `user_<name>="<password>"` options (Kafka's
// PlainServerCallbackHandler). Who calls: client-security.ts, sasl-server.ts.

export class JaasConfigError extends Error {
  override readonly name = 'JaasConfigError';
}

export interface JaasEntry {
  readonly loginModule: string;
  readonly controlFlag: string;
  readonly options: ReadonlyMap<string, string>;
}

const token = /\s*(?:"((?:\\.|[^"\\])*)"|([^\s=;"]+)|(=)|(;))/y;

export function parseJaasConfig(text: string): JaasEntry {
  const tokens: { kind: 'word' | 'quoted' | '=' | ';'; value: string }[] = [];
  token.lastIndex = 0;
  const source = text.trim();
  while (token.lastIndex < source.length) {
    const start = token.lastIndex;
    const m = token.exec(source);
    if (!m || m.index !== start)
      throw new JaasConfigError(`cannot read sasl.jaas.config near "${source.slice(start)}"`);
    if (m[1] !== undefined) tokens.push({ kind: 'quoted', value: m[1].replace(/\\(.)/g, '$1') });
    else if (m[2] !== undefined) tokens.push({ kind: 'word', value: m[2] });
    else if (m[3]) tokens.push({ kind: '=', value: '=' });
    else tokens.push({ kind: ';', value: ';' });
    if (/^\s*$/.test(source.slice(token.lastIndex))) break;
  }
  const [module, flag, ...rest] = tokens;
  if (module?.kind !== 'word' || flag?.kind !== 'word')
    throw new JaasConfigError('sasl.jaas.config must start with a login module and a control flag (required)');
  if (!['required', 'requisite', 'sufficient', 'optional'].includes(flag.value.toLowerCase()))
    throw new JaasConfigError(`sasl.jaas.config: "${flag.value}" is not a control flag`);
  if (rest.at(-1)?.kind !== ';') throw new JaasConfigError('sasl.jaas.config must end with ";"');
  const options = new Map<string, string>();
  for (let i = 0; i < rest.length - 1; i += 3) {
    const [k, eq, v] = [rest[i], rest[i + 1], rest[i + 2]];
    if (k?.kind !== 'word' || eq?.kind !== '=' || !v || (v.kind !== 'word' && v.kind !== 'quoted'))
      throw new JaasConfigError('sasl.jaas.config options must be key=value (one login module only)');
    options.set(k.value, v.value);
  }
  return { loginModule: module.value, controlFlag: flag.value, options };
}

/** The `user_<name>="<password>"` options of a broker's PLAIN JAAS config. */
export function jaasUsers(entry: JaasEntry): ReadonlyMap<string, string> {
  const users = new Map<string, string>();
  for (const [k, v] of entry.options) if (k.startsWith('user_')) users.set(k.slice('user_'.length), v);
  return users;
}
