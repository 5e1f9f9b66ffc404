// The layer rules of ../shared/DESIGN.md as data, and a checker over the source tree's imports.
// Each source file belongs to the first layer whose folder prefix it starts with; a file may
// import files of its own layer (same folder) and of layers with a lower rank, never upwards and
// never sideways into a sibling of the same rank (broker ↔ controller, migration ↔ jepsen-like).
// `import type` counts: a type import is an arrow too. Cycles between files are reported as well.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface Layer {
  /** Folder prefix relative to the repository root, with a trailing slash. */
  readonly folder: string;
  /** Higher ranks sit higher in DESIGN.md's table; imports go to strictly lower ranks or the same folder. */
  readonly rank: number;
}

/** DESIGN.md's layer table, top to bottom. More specific folders come first (raft/core before raft/). */
export const layers: readonly Layer[] = [
  { folder: 'src/cli/', rank: 100 },
  { folder: 'jepsen-like/', rank: 90 },
  { folder: 'migration/', rank: 90 },
  { folder: 'src/testing/', rank: 85 },
  { folder: 'src/server/', rank: 80 },
  { folder: 'src/console/', rank: 75 },
  { folder: 'src/broker/', rank: 70 },
  { folder: 'src/controller/', rank: 70 },
  { folder: 'src/client/', rank: 60 },
  { folder: 'src/security/', rank: 55 },
  { folder: 'src/raft/host/', rank: 52 },
  { folder: 'src/raft/driver/', rank: 50 },
  { folder: 'src/rpc/', rank: 45 },
  { folder: 'src/raft/core/', rank: 40 },
  { folder: 'src/metadata/', rank: 30 },
  { folder: 'src/storage/', rank: 25 },
  { folder: 'src/protocol/', rank: 20 },
  { folder: 'src/common/', rank: 10 },
];

/** The roots whose files the rules cover (tests and benchmarks may import anything). */
export const sourceRoots: readonly string[] = ['src', 'migration/src', 'jepsen-like/src'];

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly line: number;
}

export interface Violation extends ImportEdge {
  readonly reason: string;
}

export function layerOf(file: string): Layer | undefined {
  return layers.find((l) => file.startsWith(l.folder));
}

/** Why `from` may not import `to`, or null when the arrow points down (or stays in one layer). */
export function forbiddenReason(from: string, to: string): string | null {
  const a = layerOf(from);
  const b = layerOf(to);
  if (!a || !b) return null; // outside the layered tree (generated code, tests)
  if (a === b) return null;
  if (b.rank > a.rank) return `${a.folder} imports ${b.folder}, which sits above it`;
  if (b.rank === a.rank) return `${a.folder} imports its sibling ${b.folder}`;
  return null;
}

const importPattern = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/g;
const dynamicImportPattern = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Relative imports of one file's text, resolved to repository paths of `.ts` sources. */
export function importsOf(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const pattern of [importPattern, dynamicImportPattern]) {
    for (const m of text.matchAll(pattern)) {
      const spec = m[1];
      if (spec === undefined || !spec.startsWith('.')) continue;
      const target = join(dirname(file), spec).replace(/\.js$/, '.ts');
      const offset = (m.index ?? 0) + m[0].indexOf(spec);
      const line = text.slice(0, offset).split('\n').length;
      edges.push({ from: file, to: target, line });
    }
  }
  return edges;
}

export function checkEdges(edges: readonly ImportEdge[]): Violation[] {
  const out: Violation[] = [];
  for (const e of edges) {
    const reason = forbiddenReason(e.from, e.to);
    if (reason) out.push({ ...e, reason });
  }
  return out;
}

/** Every cycle of files (strongly connected components of more than one file, or a self-import). */
export function cyclesOf(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const list = next.get(e.from) ?? [];
    list.push(e.to);
    next.set(e.from, list);
  }
  // Tarjan's algorithm, iterative so deep chains cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; i: number }[] = [{ node: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1] as { node: string; i: number };
      const succ = next.get(top.node) ?? [];
      if (top.i < succ.length) {
        const w = succ[top.i++] as string;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.node, Math.min(low.get(top.node) as number, index.get(w) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(top.node) as number));
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(w);
        } while (w !== top.node);
        const selfLoop = component.length === 1 && succ.includes(top.node);
        if (component.length > 1 || selfLoop) out.push(component.sort());
      }
    }
  }
  return out;
}

function tsFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'generated' && name !== 'node_modules') out.push(...tsFiles(root, path));
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
      out.push(relative(root, path));
    }
  }
  return out;
}

export interface SourceTree {
  readonly files: readonly { readonly path: string; readonly text: string }[];
  readonly edges: readonly ImportEdge[];
}

/** The layered source files under `root` (the repository) with their relative imports. */
export function readSourceTree(root: string): SourceTree {
  const files = sourceRoots
    .flatMap((r) => tsFiles(root, resolve(root, r)))
    .map((path) => ({
      path,
      text: readFileSync(resolve(root, path), 'utf8'),
    }));
  return { files, edges: files.flatMap((f) => importsOf(f.path, f.text)) };
}
