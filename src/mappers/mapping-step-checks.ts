/**
 * The problems of a config's mappings that need no source or target to judge: a transform that does not
 * exist, a `validate` format that does not exist or a pattern that does not compile, a date step's unknown
 * time zone. `plan` and `migrate` add them to the config's own checks (`loadConfig`'s `extraChecks`), so
 * they are listed with the config's other problems, before anything connects, each with the code the
 * mapping's compilation gives it (`MAP_TRANSFORM_UNKNOWN`…); the mapping's compilation,
 * once sources are open, checks the rest (arguments against the columns' types).
 */
import type { Config, FieldConfig } from '../config/schema.ts';
import { checkZone } from './transforms/date-transforms.ts';
import { findTransform, unknownTransformMessage } from './transforms/registry.ts';
import { stepNameAndArgs, TransformArgumentError } from './transforms/transform-types.ts';
import { compileValidations } from './validate.ts';

interface Problem {
  readonly path: string;
  readonly message: string;
}

/** Every such problem of every mapping of `config`, with its config path. */
export function mappingStepProblems(config: Config): Problem[] {
  const problems: Problem[] = [];
  // `plan` and `migrate` over no mapping would report a green run over nothing.
  if ((config.mappings ?? []).length === 0)
    problems.push({
      path: 'mappings',
      message: 'declare at least one mapping: plan and migrate run the mappings',
    });
  (config.mappings ?? []).forEach((mapping, i) => {
    for (const [field, entry] of Object.entries(mapping?.fields ?? {}))
      if (entry) checkFieldSteps(`mappings[${i}].fields.${field}`, entry, problems);
  });
  return problems;
}

/** The problems of one field's `transform` and `validate` steps. */
function checkFieldSteps(path: string, field: FieldConfig, problems: Problem[]): void {
  const steps: unknown = field.transform;
  if (steps !== undefined && !Array.isArray(steps)) return;
  (field.transform ?? []).forEach((step, j) => {
    if (typeof step !== 'string' && (typeof step !== 'object' || step === null)) return;
    const { name, args } = stepNameAndArgs(step);
    if (!findTransform(name)) {
      problems.push({
        path: `${path}.transform[${j}]`,
        message: `${unknownTransformMessage(name)} (MAP_TRANSFORM_UNKNOWN)`,
      });
      return;
    }
    if (name !== 'date' && name !== 'datetime') return;
    const zone = (args as { zone?: unknown } | undefined)?.zone;
    try {
      if (typeof zone === 'string') checkZone(zone);
    } catch (error) {
      const sub = error instanceof TransformArgumentError ? error.sub : '';
      problems.push({
        path: `${path}.transform[${j}].${name}${sub}`,
        message: `${(error as Error).message} (MAP_TRANSFORM_INVALID)`,
      });
    }
  });
  for (const problem of compileValidations(field.validate, path).problems)
    problems.push({ ...problem, message: `${problem.message} (MAP_VALIDATE_UNKNOWN)` });
}
