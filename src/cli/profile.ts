/** `stocktake profile`: inventories, profiles and evaluates the rules; exits 1 when a gate fails. */
import { Command, Option } from 'commander';
import { formatProblem, locateProblems } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { StocktakeError } from '../core/errors.ts';
import type { Inventory } from '../core/inventory.ts';
import type { Profile } from '../core/profile.ts';
import { checkRulesAgainstInventory, resolveRuleDataset } from '../profilers/rules.ts';
import { summariseProfile } from '../report/profile-console.ts';
import { ConnectorSession } from '../stages/connector-session.ts';
import { buildEstateRegister } from '../stages/estate-register.ts';
import { narrowSource, runInventory } from '../stages/inventory-stage.ts';
import { inventoryWarnings, profileExitCode, writeProfileOutputs } from '../stages/outputs.ts';
import { runProfile } from '../stages/profile-stage.ts';
import { type CommonOptions, loadConfigFrom, runCommand, withCommonOptions } from './common.ts';
import { exitCodeOf } from './inventory.ts';
import { createOutput, type Output } from './output.ts';
import { createProgress } from './progress.ts';

/** Options of the commands that profile. */
export interface ProfileOptions extends CommonOptions {
  showSamples?: boolean;
  suggestRules?: boolean;
  failOn: 'error' | 'warning';
}

/** Adds the profiling flags to a command. */
export function withProfileOptions(command: Command): Command {
  return command
    .option('--show-samples', 'show sample values of personal data unmasked')
    .option('--suggest-rules', 'write suggested-rules.yaml, rules that hold on the data today')
    .addOption(
      new Option(
        '--fail-on <level>',
        'exit 1 on failed rules of this level; warning: also on any warning or error finding',
      )
        .choices(['error', 'warning'])
        .default('error'),
    );
}

/** The profile command. */
export function profileCommand(): Command {
  return withProfileOptions(withCommonOptions(new Command('profile')))
    .description(
      'profile every dataset, evaluate the rules (quality gates), write profile.json, junit.xml, summary.md',
    )
    .action((options: ProfileOptions) =>
      runCommand(async () => {
        const output = createOutput(options);
        const { config } = loadConfigFrom(options);
        const session = new ConnectorSession();
        let inventory: Inventory;
        let profile: Profile;
        try {
          ({ inventory, profile } = await inventoryAndProfile(config, options, output, session));
        } finally {
          await session.close();
        }
        const files = writeProfileOutputs(profile, options.out, {
          suggestRules: options.suggestRules === true,
          inventory,
          failOn: options.failOn,
        });
        output.json({ profile, files });
        for (const line of summariseProfile(profile, { inventory, failOn: options.failOn }))
          output.info(line);
        // The inventory's warnings fail this gate too: they are named, not left to the exit code.
        if (options.failOn === 'warning')
          for (const f of inventoryWarnings(inventory))
            output.warn(`${f.source}: ${f.code} (${f.severity}): ${f.message}`);
        output.info('');
        for (const file of files) output.info(`wrote ${file}`);
        // A source that could not be read (3) outranks a failed gate (1), as in `audit`.
        return Math.max(exitCodeOf(inventory), profileExitCode(profile, options.failOn, inventory));
      }),
    );
}

/**
 * True when a rule is about the datasets `--only` selects (always without --only): its source is selected
 * whole (a name it gives that the source lacks is then an error, as without --only), or the rule's dataset
 * is among the source's datasets selected, as the narrowed inventory holds them; a foreign key rule also
 * needs its parent dataset among those read (`read`: `only` and the parents `ruleParents` adds).
 */
export function ruleInScope(
  rule: { dataset: string; references?: string | undefined },
  only: readonly string[],
  inventory: Inventory,
  read: readonly string[] = only,
): boolean {
  if (only.length === 0) return true;
  const selects = (dataset: string, by: readonly string[]) => {
    const source = dataset.split('.')[0]!;
    // Named as such (a source selected whole, a parent read for the rule): a name the source lacks is
    // then the rule's error, which the check reports.
    if (by.includes(source) || by.includes(dataset)) return true;
    const target = resolveRuleDataset(inventory, dataset);
    if (typeof target === 'string') return false;
    return by.some((o) => {
      const selected = resolveRuleDataset(inventory, o);
      return typeof selected !== 'string' && selected.dataset === target.dataset;
    });
  };
  if (!selects(rule.dataset, only)) return false;
  const references = rule.references;
  return references === undefined || selects(references.slice(0, references.lastIndexOf('.')), read);
}

/**
 * The parent datasets of the `foreign_key` rules about a dataset `--only` selects, which `--only` leaves
 * out: checking `crm.orders` checks its orders against `crm.customers`, which is therefore read too (and
 * left out of the outputs again, `narrowToSelection`). A rule's dataset is selected by its source, or by a
 * name that is the same dataset with or without its schema (`crm.public.orders` and `crm.orders`). Each
 * parent added is said on `onStep`.
 */
export function ruleParents(
  only: readonly string[],
  rules: readonly { dataset: string; check: string; references?: string | undefined }[],
  onStep: (message: string) => void = () => {},
): string[] {
  const parents: string[] = [];
  if (only.length === 0) return parents;
  const selected = (dataset: string) => {
    const source = dataset.split('.')[0]!;
    const rest = dataset.slice(source.length + 1);
    return only.some((o) => {
      if (o === source || o === dataset) return true;
      if (!o.startsWith(`${source}.`)) return false;
      const named = o.slice(source.length + 1);
      return named.endsWith(`.${rest}`) || rest.endsWith(`.${named}`);
    });
  };
  rules.forEach((rule, i) => {
    if (rule.check !== 'foreign_key' || !rule.references || !selected(rule.dataset)) return;
    const parent = rule.references.slice(0, rule.references.lastIndexOf('.'));
    if (!parent.includes('.') || selected(parent) || parents.includes(parent)) return;
    parents.push(parent);
    onStep(`${parent} is read too: rules[${i}] checks ${rule.dataset} against it (foreign_key)`);
  });
  return parents;
}

/**
 * Inventories and profiles what `--only` selects, with the parents its `foreign_key` rules need read too
 * (`ruleParents`); the documents returned hold the selection alone: the parents' datasets, findings,
 * personal data and systems are not the run's, and fail no gate.
 */
export async function inventoryAndProfile(
  config: Config,
  options: ProfileOptions,
  output: Output,
  session: ConnectorSession,
): Promise<{ inventory: Inventory; profile: Profile }> {
  const only = options.only;
  const parents = only ? ruleParents(only, config.rules ?? [], output.step) : [];
  const inventory = await runInventory(config, {
    ...(only ? { only, also: parents } : {}),
    onStep: output.step,
    session,
  });
  const read = only && [...only, ...parents];
  const profile = await profileInventory(config, inventory, options, output, session, read);
  return parents.length === 0 ? { inventory, profile } : narrowToSelection(config, inventory, profile, only!);
}

/** The inventory and profile of a run narrowed to the datasets `only` selects (see `inventoryAndProfile`). */
export function narrowToSelection(
  config: Config,
  inventory: Inventory,
  profile: Profile,
  only: readonly string[],
): { inventory: Inventory; profile: Profile } {
  const sources = inventory.sources
    .filter((s) => only.some((o) => o === s.name || o.startsWith(`${s.name}.`)))
    .map((s) => narrowSource(s, only));
  const register = buildEstateRegister(config, sources, { partial: true });
  const kept = new Set(sources.flatMap((s) => s.datasets.map((d) => `${s.name}\u0000${d.name}`)));
  const keeps = (source: string, dataset: string | undefined) =>
    dataset === undefined ? sources.some((s) => s.name === source) : kept.has(`${source}\u0000${dataset}`);
  return {
    inventory: { ...inventory, sources, systems: register.systems, findings: register.findings },
    profile: {
      ...profile,
      datasets: profile.datasets.filter((d) => keeps(d.source, d.dataset)),
      findings: profile.findings.filter((f) => keeps(f.source, f.dataset)),
      personalData: profile.personalData.filter((p) => keeps(p.source, p.dataset)),
      overlaps: profile.overlaps.filter(
        (o) => keeps(o.left.source, o.left.dataset) && keeps(o.right.source, o.right.dataset),
      ),
    },
  };
}

/** Why a rule's dataset could not be read (its source failed, or its file has an error finding), if so. */
function unreadableReason(dataset: string, inventory: Inventory): string | undefined {
  const sourceName = dataset.split('.')[0]!;
  const source = inventory.sources.find((s) => s.name === sourceName);
  if (!source) return undefined;
  if (source.status !== 'ok')
    return `source ${sourceName} could not be read (${source.error?.code ?? 'failed'})`;
  if (typeof resolveRuleDataset(inventory, dataset) !== 'string') return undefined;
  const rest = dataset.slice(sourceName.length + 1);
  const finding = (source.findings ?? []).find((f) => f.severity === 'error' && f.dataset === rest);
  return finding ? `${finding.code}: ${finding.message}` : undefined;
}

/**
 * Checks the rules against the inventory (exit 2 on a bad name), then profiles with progress: the datasets
 * `read` selects (default `--only`'s), rules about those `--only` selects.
 */
export async function profileInventory(
  config: Config,
  inventory: Inventory,
  options: ProfileOptions,
  output: Output,
  session?: ConnectorSession,
  read: readonly string[] | undefined = options.only,
): Promise<Profile> {
  // Rules about sources or datasets left out by --only are not checked or evaluated: they are out of scope.
  // A rule about a source or file that could not be read is no config problem either: that failure has
  // its own code (exit 3) and the rest is profiled; the rule is evaluated as an error, failing its gate.
  // Problems keep the rules' own indices, as the config numbers them.
  const only = options.only ?? [];
  const all = config.rules ?? [];
  const outOfScope = new Set<number>();
  const unreadable = new Set<number>();
  all.forEach((rule, i) => {
    if (!ruleInScope(rule, only, inventory, read ?? only)) {
      outOfScope.add(i);
      return;
    }
    const unread = unreadableReason(rule.dataset, inventory);
    if (unread === undefined) return;
    unreadable.add(i);
    output.warn(`rules[${i}] (${rule.dataset}) cannot be evaluated: ${unread}`);
  });
  if (outOfScope.size > 0)
    output.warn(
      `${outOfScope.size} rule(s) about datasets outside --only not evaluated: ${[...outOfScope].map((i) => `rules[${i}]`).join(', ')}`,
    );
  const scoped: Config = { ...config, rules: all.filter((_rule, i) => !outOfScope.has(i)) };
  const problems = checkRulesAgainstInventory(all, inventory).filter((p) => {
    const index = Number(/^rules\[(\d+)\]/.exec(p.path)?.[1] ?? -1);
    return !outOfScope.has(index) && !unreadable.has(index);
  });
  if (problems.length > 0) {
    const lines = locateProblems(config, problems).map((p) => formatProblem(p));
    throw new StocktakeError(
      'CONFIG_INVALID',
      `${options.config}: ${problems.length} rule problem(s)\n${lines.join('\n')}`,
      {
        context: { problems: lines },
      },
    );
  }
  const progress = createProgress(output, options);
  try {
    return await runProfile(scoped, inventory, {
      ...(read ? { only: read } : {}),
      showSamples: options.showSamples === true,
      onStep: output.step,
      onProgress: (source, dataset, rows, total) => progress.update(`${source}.${dataset}`, rows, total),
      onDataset: (source, dataset, rows, ms, scanned) =>
        progress.done(`${source}.${dataset}`, rows, ms, scanned),
      ...(session ? { session } : {}),
    });
  } finally {
    progress.stop();
  }
}
