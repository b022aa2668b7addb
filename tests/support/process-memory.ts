import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';

/*
 * Resident memory of a whole process tree, read from /proc (Linux). The local runtime is one
 * node process whose execution environments are worker threads (so they count in its own
 * VmRSS), plus children: dynalite and s3rver each in their own node process, and esbuild's
 * service while it runs. A bound on the runtime's own RSS alone would miss all of those.
 */

export interface ProcessRss {
  pid: number;
  /** What the process runs (its script and first argument, or its program), so a report says which process holds what. */
  label: string;
  rssMb: number;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // The process exited between listing /proc and reading it.
    return '';
  }
}

/** Each live process's parent, from /proc/<pid>/stat (the field after the parenthesised name). */
function parents(): Map<number, number> {
  const result = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOrEmpty(`/proc/${entry}/stat`);
    // The name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    if (Number.isInteger(ppid)) result.set(Number(entry), ppid);
  }
  return result;
}

/** The root and every descendant, depth first. */
export function processTree(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
  const tree: number[] = [];
  const visit = (pid: number) => {
    tree.push(pid);
    for (const child of byParent.get(pid) ?? []) visit(child);
  };
  visit(root);
  return tree;
}

function label(argv: string[]): string {
  const script = argv.findIndex((argument) => /\.[cm]?[jt]s$/.test(argument) && !argument.includes('node_modules'));
  if (script < 0) return basename(argv[0] ?? '?');
  const next = argv[script + 1];
  return `${basename(argv[script] ?? '')}${next && !next.startsWith('-') ? ` ${next}` : ''}`;
}

/** VmRSS of each process in the tree under `root` (a process that has exited counts 0). */
export function processTreeRss(root: number): ProcessRss[] {
  return processTree(root).map((pid) => {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readOrEmpty(`/proc/${String(pid)}/status`))?.[1] ?? 0);
    return { pid, label: label(readOrEmpty(`/proc/${String(pid)}/cmdline`).split('\0').filter(Boolean)), rssMb: Math.round(kb / 1024) };
  });
}

/** The sum of VmRSS over the process tree under `root`, in MB. */
export function treeRssMb(root: number): number {
  return processTreeRss(root).reduce((sum, process) => sum + process.rssMb, 0);
}
