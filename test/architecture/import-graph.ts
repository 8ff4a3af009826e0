// The import graph of a source tree, as the TypeScript compiler resolves it (type-only imports,
// re-exports and import() included: a type cycle still ties modules together), and its cycles.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export type ImportGraph = Map<string, Set<string>>;

export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every module specifier a file names: import/export declarations, import = require, import(), import types. */
export function specifiers(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const OPTIONS: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowJs: false };

/** The graph of the .ts files under `root` (absolute paths), with edges only to files under `root`. */
export function importGraph(root: string): ImportGraph {
  const rootDir = path.resolve(root);
  const graph: ImportGraph = new Map();
  const host = ts.sys;
  for (const file of sourceFiles(rootDir)) {
    const edges = new Set<string>();
    for (const spec of specifiers(file, fs.readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue; // packages and node: builtins are outside the tree
      const resolved = ts.resolveModuleName(spec, file, OPTIONS, host).resolvedModule?.resolvedFileName;
      if (resolved && resolved.startsWith(rootDir + path.sep) && !resolved.endsWith('.d.ts')) edges.add(path.resolve(resolved));
    }
    graph.set(file, edges);
  }
  return graph;
}

export interface Cycle {
  /** Every file of the strongly connected component, sorted. */
  files: string[];
  /** One concrete cycle through it, first file repeated at the end. */
  path: string[];
}

/** Strongly connected components with a cycle (Tarjan), largest first. */
export function findCycles(graph: ImportGraph): Cycle[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  // Iterative so a deep tree cannot overflow the call stack.
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; edges: Iterator<string> }[] = [];
    const enter = (n: string): void => {
      index.set(n, next);
      low.set(n, next++);
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, edges: (graph.get(n) ?? new Set()).values() });
    };
    enter(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const step = top.edges.next();
      if (!step.done) {
        const m = step.value;
        if (!index.has(m)) enter(m);
        else if (onStack.has(m)) low.set(top.node, Math.min(low.get(top.node)!, index.get(m)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const members: string[] = [];
        let m: string;
        do {
          m = stack.pop()!;
          onStack.delete(m);
          members.push(m);
        } while (m !== top.node);
        if (members.length > 1 || graph.get(top.node)?.has(top.node)) components.push(members);
      }
    }
  }
  return components
    .map((c) => ({ files: c.sort(), path: cycleThrough(graph, new Set(c)) }))
    .sort((a, b) => b.files.length - a.files.length || a.files[0].localeCompare(b.files[0]));
}

/** One concrete cycle inside a component (shortest back to its first file, by breadth-first search). */
function cycleThrough(graph: ImportGraph, members: Set<string>): string[] {
  const first = [...members].sort()[0];
  const prev = new Map<string, string>();
  const queue = [first];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i];
    for (const m of graph.get(n) ?? []) {
      if (!members.has(m)) continue;
      if (m === first) {
        const cycle = [n];
        while (cycle[0] !== first) cycle.unshift(prev.get(cycle[0])!);
        return [...cycle, first];
      }
      if (!prev.has(m)) {
        prev.set(m, n);
        queue.push(m);
      }
    }
  }
  return [first, first];
}

/** A cycle as a line: its size, one path through it, relative to `base`. */
export function describeCycle(cycle: Cycle, base: string): string {
  return `${cycle.files.length} files, e.g. ${cycle.path.map((f) => path.relative(base, f)).join(' -> ')}`;
}

/** Where a file reads the clock, randomness or timers: `Date.now`, `Math.random`, `performance.now`, `new Date()`, set/clear timers, `process`. */
export function ambientEffects(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (n: ts.Node, what: string) => found.push(`${what} at line ${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`);
  const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'process']);
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const name = `${node.expression.text}.${node.name.text}`;
      if (name === 'Date.now' || name === 'Math.random' || name === 'performance.now') at(node, name);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date' && !node.arguments?.length) {
      at(node, 'new Date()');
    } else if (ts.isIdentifier(node) && TIMERS.has(node.text) && (node.parent as { name?: ts.Node }).name !== node) {
      // (a property or declaration named like a timer is not one)
      at(node, node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}
