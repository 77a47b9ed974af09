/**
 * Checks that span several parts of the config: names that must exist elsewhere, fields that are
 * required together. Each problem carries the explicit path of the value at fault.
 */
import { normaliseEncoding } from '../connectors/csv/csv-encoding.ts';
import { dateOrderOf } from '../connectors/csv/csv-sniff.ts';
import { didYouMean } from './did-you-mean.ts';
import type { Config } from './schema.ts';

interface Problem {
  readonly path: string;
  readonly message: string;
}

function unknownName(kind: string, name: string, known: readonly string[]): string {
  const list = known.length > 0 ? `; declared: ${known.join(', ')}` : `; none is declared`;
  return `unknown ${kind} "${name}"${didYouMean(name, known)}${list}`;
}

/**
 * A CSV source's encoding and date format, checked as its scan would check them, so that a misspelt
 * one is named with the config's other problems rather than when that source is scanned.
 */
function checkCsvOptions(
  path: string,
  name: string,
  source: { encoding?: string | undefined; dateFormat?: string | undefined },
  problems: Problem[],
): void {
  const check = (option: 'encoding' | 'dateFormat', test: () => unknown) => {
    try {
      test();
    } catch (error) {
      const hint = (error as { hint?: string }).hint;
      const reason = (error as Error).message.replace(`source ${name}: `, '');
      problems.push({ path: `${path}.${option}`, message: hint ? `${reason}: ${hint}` : reason });
    }
  };
  if (source.encoding !== undefined) check('encoding', () => normaliseEncoding(source.encoding!, name));
  if (source.dateFormat !== undefined) check('dateFormat', () => dateOrderOf(source.dateFormat, name));
}

/** Every cross-field problem of a config that has the right shape. */
export function crossCheck(config: Config): Problem[] {
  const problems: Problem[] = [];
  const systems = Object.keys(config.systems ?? {});
  const sources = Object.keys(config.sources);
  const targets = Object.keys(config.targets ?? {});

  const checkConnection = (path: string, entry: Record<string, unknown>) => {
    if (entry.kind === 'sqlite' || entry.kind === 'csv' || entry.kind === 'xlsx') return;
    if (!entry.url && !entry.host)
      problems.push({ path: `${path}.url`, message: 'required: give `url` or `host`' });
    if (entry.url && entry.host) {
      problems.push({
        path: `${path}.host`,
        message: 'give either `url` or `host`/`port`/`database`, not both',
      });
    }
    if (entry.kind === 'mssql' && !entry.url && !entry.database) {
      problems.push({ path: `${path}.database`, message: 'required for SQL Server' });
    }
  };

  for (const [name, source] of Object.entries(config.sources)) {
    checkConnection(`sources.${name}`, source);
    if (source.kind === 'csv') checkCsvOptions(`sources.${name}`, name, source, problems);
    if (source.system && !systems.includes(source.system)) {
      problems.push({
        path: `sources.${name}.system`,
        message: unknownName('system', source.system, systems),
      });
    }
  }
  for (const [name, target] of Object.entries(config.targets ?? {})) {
    checkConnection(`targets.${name}`, target);
  }

  (config.rules ?? []).forEach((rule, i) => {
    const sourceName = rule.dataset.split('.')[0]!;
    if (!sources.includes(sourceName)) {
      problems.push({
        path: `rules[${i}].dataset`,
        message: `${unknownName('source', sourceName, sources)} (a rule's dataset names its source first: crm.public.customers)`,
      });
    }
    const referenced = rule.references?.split('.')[0];
    if (referenced !== undefined && !sources.includes(referenced)) {
      problems.push({
        path: `rules[${i}].references`,
        message: `${unknownName('source', referenced, sources)} (write source.dataset.column: crm.orders.id)`,
      });
    }
  });

  const mappingNames = new Set<string>();
  (config.mappings ?? []).forEach((mapping, i) => {
    if (mappingNames.has(mapping.name)) {
      problems.push({ path: `mappings[${i}].name`, message: `duplicate mapping name "${mapping.name}"` });
    }
    mappingNames.add(mapping.name);
    if (!sources.includes(mapping.from.source)) {
      problems.push({
        path: `mappings[${i}].from.source`,
        message: unknownName('source', mapping.from.source, sources),
      });
    }
    if (!targets.includes(mapping.to.target)) {
      problems.push({
        path: `mappings[${i}].to.target`,
        message: unknownName('target', mapping.to.target, targets),
      });
    }
    for (const key of mapping.to.key ?? []) {
      if (!(key in mapping.fields)) {
        problems.push({
          path: `mappings[${i}].to.key`,
          message: `key column "${key}" has no entry under fields`,
        });
      }
    }
  });
  return problems;
}
