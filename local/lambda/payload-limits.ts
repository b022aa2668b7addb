/**
 * How deeply a JSON payload may nest in the local runtime. AWS documents no nesting limit, but
 * here every payload crosses recursive code: the JSON text that passes an event to an execution
 * environment is made and parsed recursively (structured clone, used before, overflowed at about
 * 4,000 levels), and aws-local-stepfunctions' cloneJSON and JSONPath overflow at fewer. Refusing
 * deeper input up front turns a crash into a 400.
 */
export const MAX_PAYLOAD_DEPTH = 1000;

/** True when a parsed JSON value nests arrays/objects deeper than `limit` (iterative: any depth is safe to measure). */
export function nestsDeeperThan(value: unknown, limit = MAX_PAYLOAD_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
