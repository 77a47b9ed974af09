import { describe, expect, it } from 'vitest';
import { StocktakeError } from '../../src/core/errors.ts';
import { interruption, isDeadlock } from '../../src/mappers/apply-batches.ts';

describe('a batch rolled back as a deadlock victim', () => {
  it('is an interruption the run resumes from (exit 4), however the driver error is wrapped', () => {
    const mariadb = Object.assign(new Error('Deadlock found when trying to get lock'), {
      code: 'ER_LOCK_DEADLOCK',
      errno: 1213,
    });
    const wrapped = new StocktakeError('SOURCE_QUERY_FAILED', 'accounts: query failed', { cause: mariadb });
    const postgres = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    for (const error of [mariadb, wrapped, postgres]) {
      expect(isDeadlock(error)).toBe(true);
      const stopped = interruption(error, 'customers:refs', 3) as StocktakeError;
      expect(stopped.code).toBe('MIGRATE_INTERRUPTED');
      expect(stopped.message).toContain("deadlock's victim after batch 3");
      expect(stopped.hint).toContain('--concurrency 1');
    }
    // Another database error stays what it is.
    const refused = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(isDeadlock(refused)).toBe(false);
    expect(interruption(refused, 'm', 1)).toBe(refused);
  });
});
