import { describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/audit.ts';
import { COMMAND_SUMMARIES } from '../../src/cli/command-summaries.ts';
import { inventoryCommand } from '../../src/cli/inventory.ts';
import { migrateCommand } from '../../src/cli/migrate.ts';
import { planCommand } from '../../src/cli/plan.ts';
import { profileCommand } from '../../src/cli/profile.ts';
import { reportCommand } from '../../src/cli/report.ts';
import { schemaCommand } from '../../src/cli/schema.ts';

describe('command summaries (stocktake --help lists them without loading the commands)', () => {
  it('are each command’s own description, for every command', () => {
    const commands = [
      inventoryCommand(),
      profileCommand(),
      auditCommand(),
      planCommand(),
      migrateCommand(),
      reportCommand(),
      schemaCommand(),
    ];
    expect(Object.fromEntries(commands.map((c) => [c.name(), c.description()]))).toEqual(COMMAND_SUMMARIES);
  });
});
