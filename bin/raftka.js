#!/usr/bin/env node
// The `raftka` command: runs the compiled CLI (npm run build writes dist/).
import('../dist/src/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('raftka: dist/ is missing; run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
});
