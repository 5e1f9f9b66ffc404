// Writes docs/protocol-versions.md from the compiled registry and Kafka's ranges
// (src/protocol/version-table.ts). `npm run gen:protocol-doc` builds first; run it after changing
// an API's versions (test/protocol/version-table.test.ts fails until the file matches).
import { writeFileSync } from 'node:fs';
import { renderVersionTable } from '../dist/src/protocol/version-table.js';

const out = new URL('../docs/protocol-versions.md', import.meta.url);
writeFileSync(out, renderVersionTable());
console.log(`wrote ${out.pathname}`);
