// Parsing of a `host:port` address to dial (CLI flags such as --bootstrap-server, the
// jepsen-like harness, tests). Strict: a non-empty host and a port in 1..65535; throws on
// anything else, with the message the CLI prints. Listener addresses in node config files are
// parsed by config.ts, which also accepts an empty host and port 0 (bind to any / ephemeral).
// Lives in common/ so that both cli/ and jepsen-like/ (which cli/ imports) can use it.

/** Parses a `host:port` flag value. */
export function parseEndpoint(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(':');
  const port = Number(value.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`expected host:port, got "${value}"`);
  return { host: value.slice(0, i), port };
}

/** Parses a `host:port[,host:port...]` list (Kafka's bootstrap.servers). */
export function parseEndpoints(value: string): { host: string; port: number }[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseEndpoint);
}
