/**
 * The estate register: which systems exist, who answers for them, what becomes of them, and the
 * facts read from their sources, beside what the config declares. Gaps in the register are findings.
 */
import type { Config } from '../config/schema.ts';
import {
  type Finding,
  rowTotal,
  type SourceEntry,
  type SourceFacts,
  type SystemEntry,
} from '../core/inventory.ts';

/**
 * The systems of the config with their sources and facts, and the register's findings; `partial` when
 * `sources` are those `--only` selected.
 */
export function buildEstateRegister(
  config: Config,
  sources: readonly SourceEntry[],
  options: { readonly partial?: boolean } = {},
): { systems: SystemEntry[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const mapped = new Set((config.mappings ?? []).map((m) => m.from.source));
  // An inventory of some sources (`--only`) registers only their systems: the others are out of scope,
  // and a gap in their register is no finding of this run.
  const declared = Object.entries(config.systems ?? {}).filter(
    ([name]) => !options.partial || sources.some((s) => s.system === name),
  );
  const systems = declared.map(([name, system]): SystemEntry => {
    const own = sources.filter((s) => s.system === name);
    if (!system.owner) {
      findings.push({
        code: 'SYSTEM_WITHOUT_OWNER',
        severity: 'warning',
        source: own[0]?.name ?? name,
        message: `system ${name} has no owner: nobody answers for it`,
        messageFr: `l’application ${name} n’a pas de responsable : personne n’en répond`,
        evidence: { system: name },
      });
    }
    if (system.fate === 'migrate' && !own.some((s) => mapped.has(s.name))) {
      findings.push({
        code: 'SYSTEM_MIGRATE_UNMAPPED',
        severity: 'warning',
        source: own[0]?.name ?? name,
        message: `system ${name} is to be migrated but no mapping reads from its sources yet`,
        messageFr: `l’application ${name} est à migrer mais aucune correspondance ne lit encore ses sources`,
        evidence: { system: name, sources: own.map((s) => s.name) },
      });
    }
    return {
      name,
      ...(system.vendor ? { vendor: system.vendor } : {}),
      ...(system.description ? { description: system.description } : {}),
      ...(system.domain ? { domain: system.domain } : {}),
      ...(system.version ? { version: system.version } : {}),
      ...(system.owner ? { owner: system.owner } : {}),
      ...(system.steward ? { steward: system.steward } : {}),
      ...(system.criticality ? { criticality: system.criticality } : {}),
      ...(system.fate ? { fate: system.fate } : {}),
      ...(system.plannedDate ? { plannedDate: system.plannedDate } : {}),
      sources: own.map((s) => s.name),
      facts: own.map(factsOf),
    };
  });
  for (const source of sources) {
    if (!source.system) {
      findings.push({
        code: 'SOURCE_WITHOUT_SYSTEM',
        severity: 'info',
        source: source.name,
        message: `source ${source.name} names no system: say which software it belongs to (sources.${source.name}.system)`,
        messageFr: `la source ${source.name} ne nomme aucune application : indiquez à quel logiciel elle appartient (sources.${source.name}.system)`,
      });
    }
  }
  return { systems, findings };
}

/** The facts read from one source: its server, or the files behind its datasets. */
export function factsOf(source: SourceEntry): SourceFacts {
  const files = new Map<string, NonNullable<SourceFacts['files']>[number]>();
  for (const dataset of source.datasets) {
    const file = dataset.file;
    if (!file || files.has(file.path)) continue;
    files.set(file.path, {
      path: file.path,
      sizeBytes: file.sizeBytes,
      modifiedAt: file.modifiedAt,
      ...(file.document ? { document: file.document } : {}),
    });
  }
  return {
    source: source.name,
    kind: source.kind,
    status: source.status,
    ...(source.server ? { server: source.server } : {}),
    ...(files.size > 0 ? { files: [...files.values()] } : {}),
    datasets: source.datasets.length,
    // Each row once: a partition's rows are in its partitioned table's count, a view's in its tables'.
    rows: rowTotal(source.datasets).rows,
  };
}
