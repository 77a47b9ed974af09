/** Driver errors turned into one clear line: the connect timeouts of pg read as no answer, not a lost session. */
import { describe, expect, it } from 'vitest';
import { describeDriverError } from '../../src/connectors/sql/sql-errors.ts';

describe('describeDriverError', () => {
  it('reports the connect timeouts of pg and of its pool as no answer from the server', () => {
    for (const message of [
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'timeout expired',
    ]) {
      const error = describeDriverError(new Error(message), 'crm', 'PostgreSQL');
      expect(error.code).toBe('SOURCE_UNREACHABLE');
      expect(error.message).toBe(`source crm: no answer from the PostgreSQL server (${message})`);
      expect(error.hint).toBe('check host, port and firewall');
    }
  });

  it('still reports a session the server ended as a lost connection', () => {
    const ended = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(describeDriverError(ended, 'crm', 'PostgreSQL').message).toContain(
      'the connection to the PostgreSQL server was lost',
    );
    expect(
      describeDriverError(new Error('Connection terminated unexpectedly'), 'crm', 'PostgreSQL').message,
    ).toContain('was lost');
  });

  it('reports a reset socket as a lost connection, not as a server it cannot reach', () => {
    // A backend terminated mid-read may reset the socket before pg reads the server's last message.
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104 });
    const error = describeDriverError(reset, 'crm', 'PostgreSQL');
    expect(error.code).toBe('SOURCE_UNREACHABLE');
    expect(error.message).toBe(
      'source crm: the connection to the PostgreSQL server was lost (ECONNRESET: read ECONNRESET)',
    );
    expect(error.hint).toContain('nothing ends its sessions');
  });
});
