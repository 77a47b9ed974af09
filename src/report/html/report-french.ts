/**
 * The documents as a report written in French shows them: each finding, rule, readiness penalty and
 * personal-data reason that carries a French text (`messageFr`, `reasonFr`) shows it; the others keep
 * their English text. The documents themselves are not changed.
 */
import type { Finding, Inventory } from '../../core/inventory.ts';
import type { Profile } from '../../core/profile.ts';

const finding = (f: Finding): Finding => (f.messageFr ? { ...f, message: f.messageFr } : f);

/** The inventory with its findings' French messages. */
export function inventoryInFrench(inventory: Inventory): Inventory {
  return {
    ...inventory,
    ...(inventory.findings ? { findings: inventory.findings.map(finding) } : {}),
    sources: inventory.sources.map((s) => (s.findings ? { ...s, findings: s.findings.map(finding) } : s)),
  };
}

/** The profile with the French texts of its findings, rules, penalties and personal-data reasons. */
export function profileInFrench(profile: Profile): Profile {
  return {
    ...profile,
    findings: profile.findings.map(finding),
    rules: profile.rules.map((r) => (r.messageFr ? { ...r, message: r.messageFr } : r)),
    personalData: profile.personalData.map((p) => (p.reasonFr ? { ...p, reason: p.reasonFr } : p)),
    datasets: profile.datasets.map((d) => ({
      ...d,
      readiness: {
        ...d.readiness,
        penalties: d.readiness.penalties.map((p) => (p.reasonFr ? { ...p, reason: p.reasonFr } : p)),
      },
      columns: d.columns.map((c) =>
        c.personal?.reasonFr ? { ...c, personal: { ...c.personal, reason: c.personal.reasonFr } } : c,
      ),
    })),
  };
}
