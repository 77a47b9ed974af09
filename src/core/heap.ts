/**
 * How fast the V8 heap may grow, decided once per process by the program that owns it (the command
 * line, a benchmark), never by a library module. A migration keeps little alive (a diff's budget, one
 * partition) but allocates fast, and V8 by default lets the heap grow to several times what survives
 * before collecting: a 1,000,000-row plan peaked over 300 MB with 40 MB live. Growing by half at most
 * keeps it near 200 MB for about a tenth more collector time.
 */
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** Bounds the heap's growth, unless the process was started with its own `--heap-growing-percent`. */
export function boundHeapGrowth(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''];
  if (given.some((a) => a.includes('--heap-growing-percent'))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
