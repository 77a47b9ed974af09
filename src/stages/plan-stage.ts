/**
 * The plan stage: opens the sources and the targets of the mappings read-only, runs preflight, and
 * plans every mapping (a dry-run diff that writes nothing anywhere) into the `plan.json` document.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { didYouMean } from '../config/did-you-mean.ts';
import type { Config } from '../config/schema.ts';
import { openConnector } from '../connectors/registry.ts';
import type { Connector, OpenMode } from '../connectors/types.ts';
import { StocktakeError } from '../core/errors.ts';
import type { MappingPlan, PlanDocument } from '../core/plan.ts';
import { TOOL_VERSION } from '../core/version.ts';
import { deleteWarnings } from '../mappers/delete-warnings.ts';
import { InsertedParents, loadForeignKeyChecks } from '../mappers/foreign-key-check.ts';
import { bindIdentity } from '../mappers/identity-binding.ts';
import { IDENTITY_MAP_LIMIT, identityMapTooLarge } from '../mappers/identity-map.ts';
import { interruptedRunWarning, readInterruptedRun } from '../mappers/interrupted-run.ts';
import { narrowingWarnings } from '../mappers/narrowing-warnings.ts';
import { renderPlanHtml } from '../mappers/plan-html.ts';
import { type PlanMappingOptions, planMapping } from '../mappers/plan-mapping.ts';
import { TARGET_THREAD_MIN_ROWS } from '../mappers/plan-target-thread.ts';
import {
  checkSourceFilters,
  type OpenedSide,
  type PreparedMapping,
  preflight,
} from '../mappers/preflight.ts';
import { writeDocument } from './documents.ts';

/** The connectors a set of mappings needs, with their inventories. */
export interface MappingConnectors {
  readonly sources: Map<string, OpenedSide>;
  readonly targets: Map<string, OpenedSide>;
  /** Closes every connector. */
  close(): Promise<void>;
}

/** Opens (and inventories) the sources of the selected mappings read-only, and their targets in `targetMode`. */
export async function openMappingConnectors(
  config: Config,
  options: { only?: readonly string[]; targetMode: OpenMode; onStep?: (message: string) => void },
): Promise<MappingConnectors> {
  const mappings = selectedMappings(config, options.only);
  const opened: Connector[] = [];
  const sources = new Map<string, OpenedSide>();
  const targets = new Map<string, OpenedSide>();
  const open = async (
    name: string,
    entry: Parameters<typeof openConnector>[0],
    mode: OpenMode,
    role: 'source' | 'target',
  ) => {
    const connector = await openConnector(entry, { name, mode, role });
    opened.push(connector);
    options.onStep?.(
      `${name}: reading the inventory (${entry.kind}, ${mode === 'audit' ? 'read-only' : 'write'})`,
    );
    await connector.connect();
    const inventory = await connector.inventory();
    return {
      name,
      kind: entry.kind,
      connector,
      datasets: inventory.datasets,
      ...(inventory.findings ? { findings: inventory.findings } : {}),
    };
  };
  const close = async () => {
    for (const connector of opened) await connector.close().catch(() => undefined);
  };
  try {
    for (const name of new Set(mappings.map((m) => m.from.source))) {
      const entry = config.sources[name];
      if (entry) sources.set(name, await open(name, entry, 'audit', 'source'));
    }
    for (const name of new Set(mappings.map((m) => m.to.target))) {
      const entry = config.targets?.[name];
      if (entry) targets.set(name, await open(name, entry, options.targetMode, 'target'));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { sources, targets, close };
}

/** The mappings `--only` selects (by mapping name); all of them by default. */
export function selectedMappings(config: Config, only?: readonly string[]): NonNullable<Config['mappings']> {
  const all = config.mappings ?? [];
  if (!only || only.length === 0) return all;
  const names = all.map((m) => m.name);
  const unknown = only.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    const listed = unknown.map((name) => `"${name}"${didYouMean(name, names)}`);
    throw new StocktakeError(
      'FILTER_MATCHED_NOTHING',
      `--only: no mapping named ${listed.join(', ')} in the config`,
      {
        hint: `the mappings are: ${names.join(', ') || 'none'}`,
        context: { only: unknown },
      },
    );
  }
  return all.filter((m) => only.includes(m.name));
}

/** Options of `runPlan`. */
export interface PlanRunOptions {
  /** Mapping names to plan; default all. */
  readonly only?: readonly string[];
  /** The config's folder (lookup files are relative to it). */
  readonly baseDir?: string;
  /** Samples per kind of change (default 5). */
  readonly samples?: number;
  /** Show personal values unmasked. */
  readonly showSamples?: boolean;
  /** Rows per side kept in memory before spilling (default 200,000). */
  readonly memoryRows?: number;
  /** Mappings planned at once (default 2). */
  readonly concurrency?: number;
  readonly onStep?: (message: string) => void;
  readonly onProgress?: (mapping: string, side: 'source' | 'target', rows: number) => void;
  readonly now?: () => Date;
  /** Connectors already open (tests, library users); they are left open, and every side is read through them. */
  readonly connectors?: MappingConnectors;
  /**
   * Targets (network databases) of at least this many rows are read in a worker thread on a connection of
   * its own, beside the source (default `TARGET_THREAD_MIN_ROWS`); not with `connectors`.
   */
  readonly targetThreadRows?: number;
}

/** Plans every selected mapping; writes nothing to any source or target. */
export async function runPlan(config: Config, options: PlanRunOptions = {}): Promise<PlanDocument> {
  const connectors =
    options.connectors ??
    (await openMappingConnectors(config, {
      ...(options.only ? { only: options.only } : {}),
      targetMode: 'audit',
      ...(options.onStep ? { onStep: options.onStep } : {}),
    }));
  try {
    const prepared = preflight({
      config,
      ...(options.baseDir ? { baseDir: options.baseDir } : {}),
      ...(options.only ? { only: options.only } : {}),
      sources: connectors.sources,
      targets: connectors.targets,
    });
    await checkSourceFilters(prepared, connectors.sources, config);
    const limit = pLimit(options.concurrency ?? 2);
    // Old keys each identity mapping would insert: references to them are pending, not missing.
    const pendingInserts = new Map<string, Set<string>>();
    const binding = {
      prepared,
      targetOf: (p: PreparedMapping) => connectors.targets.get(p.target.name)!.connector,
      pendingInserts,
    };
    // The parents each mapping would insert: a foreign key naming one of them is not a violation.
    const inserted = new Map<string, InsertedParents>();
    // A mapping is planned once the mappings it references (or follows) are: their inserts are then known.
    const done = new Map<string, Promise<MappingPlan>>();
    for (const p of prepared) {
      const deps = p.dependsOn.map((name) => done.get(name)).filter((d) => d !== undefined);
      done.set(
        p.config.name,
        Promise.all(deps).then(() =>
          limit(async () => {
            await bindIdentity(p, binding);
            const target = connectors.targets.get(p.target.name)!;
            const foreignKeys = await loadForeignKeyChecks(p, target.connector, {
              prepared,
              inserted,
              targetDatasets: () => target.datasets,
            });
            const parents = new InsertedParents(p, prepared, target.datasets);
            if (p.pass === 'rows') inserted.set(p.config.name, parents);
            const inserts = p.identity && p.pass === 'rows' ? new Set<string>() : undefined;
            if (inserts) pendingInserts.set(p.mappingName, inserts);
            return planOne(p, connectors, {
              ...options,
              config,
              // Dependent mirrors of the same target: their deletes may free rows this one's refused.
              mirroredChildren: new Set(
                prepared
                  .filter(
                    (q) =>
                      q.target.name === p.target.name &&
                      q.config.to.mode === 'mirror' &&
                      q.dependsOn.includes(p.config.name),
                  )
                  .map((q) => q.target.dataset.name),
              ),
              foreignKeys,
              insertedParents: parents,
              ...(inserts ? { onInsert: (key: string) => addPending(inserts, key, p.mappingName) } : {}),
              ...(p.pass === 'references'
                ? { firstPassInserts: pendingInserts.get(p.mappingName) ?? new Set<string>() }
                : {}),
            });
          }),
        ),
      );
    }
    const plans = await Promise.all(prepared.map((p) => done.get(p.config.name)!));
    return planDocument(plans, options);
  } finally {
    if (!options.connectors) await connectors.close();
  }
}

// The old keys a plan would insert are held like an identity map, within the same bound.
function addPending(keys: Set<string>, key: string, mapping: string): void {
  if (keys.size >= IDENTITY_MAP_LIMIT) throw identityMapTooLarge(mapping);
  keys.add(key);
}

async function planOne(
  prepared: PreparedMapping,
  connectors: MappingConnectors,
  options: PlanRunOptions &
    Pick<PlanMappingOptions, 'onInsert' | 'firstPassInserts' | 'foreignKeys' | 'insertedParents'> & {
      readonly config: Config;
      readonly mirroredChildren?: ReadonlySet<string>;
    },
): Promise<MappingPlan> {
  const name = prepared.config.name;
  options.onStep?.(
    `${name}: planning ${prepared.source.name}.${prepared.source.dataset.name} → ${prepared.target.name}.${prepared.target.dataset.name}`,
  );
  const targetConnector = connectors.targets.get(prepared.target.name)!.connector;
  const interrupted = await readInterruptedRun(prepared, targetConnector);
  if (interrupted) options.onStep?.(`${name}: ${interruptedRunWarning(prepared, interrupted).message}`);
  const plan = await planMapping(
    prepared,
    connectors.sources.get(prepared.source.name)!.connector,
    targetConnector,
    {
      ...(interrupted?.freshLoad ? { retractDuplicates: true } : {}),
      samples: options.samples ?? 5,
      unmasked: options.showSamples === true,
      ...(options.onInsert ? { onInsert: options.onInsert } : {}),
      ...(options.firstPassInserts ? { firstPassInserts: options.firstPassInserts } : {}),
      ...(options.foreignKeys ? { foreignKeys: options.foreignKeys } : {}),
      ...(options.insertedParents ? { insertedParents: options.insertedParents } : {}),
      ...(options.memoryRows ? { memoryRows: options.memoryRows } : {}),
      ...targetThread(prepared, options),
      ...(options.onProgress ? { onProgress: (side, rows) => options.onProgress!(name, side, rows) } : {}),
    },
  );
  options.onStep?.(
    `${name}: ${plan.inserts} to insert, ${plan.updates} to update, ${plan.deletes} to delete, ${plan.unchanged} unchanged, ${plan.rejects} rejected (${(plan.durationMs / 1000).toFixed(1)} s)`,
  );
  const warnings = [
    ...(interrupted ? [interruptedRunWarning(prepared, interrupted)] : []),
    ...narrowingWarnings(prepared),
    ...deleteWarnings(
      prepared,
      connectors.targets.get(prepared.target.name)!.datasets,
      plan.deletes,
      options.mirroredChildren,
    ),
    ...(plan.warnings ?? []),
  ];
  return warnings.length > 0 ? { ...plan, warnings } : plan;
}

// The target is read in a thread only from its config entry: connectors given by the caller are used as they are.
function targetThread(
  prepared: PreparedMapping,
  options: PlanRunOptions & { readonly config: Config },
): Pick<PlanMappingOptions, 'targetThread'> {
  const entry = options.config.targets?.[prepared.target.name];
  if (options.connectors || !entry) return {};
  return { targetThread: { entry, minRows: options.targetThreadRows ?? TARGET_THREAD_MIN_ROWS } };
}

function planDocument(mappings: MappingPlan[], options: PlanRunOptions): PlanDocument {
  const totals = { inserts: 0, updates: 0, deletes: 0, unchanged: 0, rejects: 0 };
  for (const m of mappings) {
    totals.inserts += m.inserts;
    totals.updates += m.updates;
    totals.deletes += m.deletes;
    // A second pass's rows are its first pass's: counted unchanged once.
    if (m.pass !== 'references') totals.unchanged += m.unchanged;
    totals.rejects += m.rejects;
  }
  return {
    formatVersion: 1,
    kind: 'plan',
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    mappings,
    totals,
    changes: totals.inserts + totals.updates + totals.deletes > 0,
    samplesShown: options.showSamples === true,
    tool: { name: 'stocktake', version: TOOL_VERSION },
  };
}

/** Writes plan.json and plan.html; returns their paths. */
export function writePlanOutputs(plan: PlanDocument, dir: string): string[] {
  const json = join(dir, 'plan.json');
  const html = join(dir, 'plan.html');
  writeDocument(json, plan);
  writeFileSync(html, renderPlanHtml(plan));
  return [json, html];
}

/**
 * The exit code of a plan: 1 when a mapping would exceed its maxRejects (migrate would stop); with
 * `detailed`, 2 when changes are pending; else 0.
 */
export function planExitCode(plan: PlanDocument, detailed: boolean): number {
  if (plan.mappings.some((m) => m.maxRejectsExceeded)) return 1;
  return detailed && plan.changes ? 2 : 0;
}
