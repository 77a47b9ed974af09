/** Reading the saved documents a report is rendered from; a bad file fails with the file named, before anything is written. */
import { readFileSync } from 'node:fs';
import { StocktakeError } from '../../core/errors.ts';
import type { Profile } from '../../core/profile.ts';
import { redactDocument } from '../../core/secrets.ts';
import type { PlanView } from './plan-model.ts';

/** Reads a `profile.json`; throws USAGE naming the file when it is missing or not a profile. */
export function readProfile(file: string): Profile {
  const doc = readJson(file, 'profile') as Partial<Profile>;
  if (doc?.formatVersion !== 1 || !Array.isArray(doc.datasets) || !Array.isArray(doc.findings)) {
    throw new StocktakeError('USAGE', `${file}: not a stocktake profile (formatVersion 1 expected)`, {
      context: { file },
    });
  }
  return doc as Profile;
}

/** Reads a `plan.json` (PROVISIONAL shape, see plan-model.ts); throws USAGE when it has no `mappings` list. */
export function readPlan(file: string): PlanView {
  const doc = readJson(file, 'plan') as Partial<PlanView>;
  if (!Array.isArray(doc?.mappings)) {
    throw new StocktakeError('USAGE', `${file}: not a stocktake plan (a mappings list expected)`, {
      context: { file },
    });
  }
  return doc as PlanView;
}

function readJson(file: string, what: string): unknown {
  try {
    // A document edited by hand since stocktake wrote it may hold a secret: the report masks it.
    // A byte-order mark an editor wrote before the document is no part of it.
    return redactDocument(JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as unknown);
  } catch (error) {
    throw new StocktakeError('USAGE', `${file}: cannot read the ${what} (${(error as Error).message})`, {
      context: { file },
      cause: error,
      hint: `pass the ${what}.json written by stocktake`,
    });
  }
}
