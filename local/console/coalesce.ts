/**
 * Turns a burst of notifications into at most one call of `flush` per `intervalMs`: the first
 * notification after a quiet interval flushes on the next turn of the event loop, later ones wait
 * for the interval to end and share one flush. Notifying costs a comparison while a flush is
 * pending, so it can sit on the Step Functions engine's path.
 */
export function coalesce(flush: () => void, intervalMs: number): { notify: () => void; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let lastFlush = -Infinity;
  return {
    notify: () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        lastFlush = Date.now();
        flush();
      }, Math.max(0, lastFlush + intervalMs - Date.now()));
    },
    cancel: () => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
