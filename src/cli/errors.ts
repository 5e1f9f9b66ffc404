// How CLI commands report a failure a user caused or can fix: one line on stderr, exit 1.
export function exitWithError(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`raftka: ${message}\n`);
  process.exit(1);
}
