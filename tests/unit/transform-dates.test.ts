import { describe, expect, test } from 'vitest';
import { transformOne } from './mapping-fixtures.ts';

const dmy = { date: { formats: ['dd/MM/yyyy', 'yyyy-MM-dd'] } };
const paris = (formats: string[]) => ({ datetime: { formats, zone: 'Europe/Paris' } });

describe('date', () => {
  test.each([
    ['12/03/2024', '2024-03-12'],
    ['29/02/2024', '2024-02-29'],
    ['2024-03-12', '2024-03-12'],
    [' 01/01/1900 ', '1900-01-01'],
    ['', null],
  ] as const)('%o → %o', (input, expected) => {
    expect(transformOne([dmy], input)).toBe(expected);
  });

  test.each([
    ['31/02/2024', 'REJECT_TRANSFORM date: "31/02/2024" is not a date in dd/MM/yyyy or yyyy-MM-dd'],
    ['29/02/2023', 'REJECT_TRANSFORM date: "29/02/2023" is not a date in dd/MM/yyyy or yyyy-MM-dd'],
    ['1/3/2024', 'REJECT_TRANSFORM date: "1/3/2024" is not a date in dd/MM/yyyy or yyyy-MM-dd'],
    ['12/13/2024', 'REJECT_TRANSFORM date: "12/13/2024" is not a date in dd/MM/yyyy or yyyy-MM-dd'],
  ] as const)('rejects %o', (input, expected) => {
    expect(transformOne([dmy], input)).toBe(expected);
  });

  test('other layouts: compact, dotted, single digits, French month names (luxon)', () => {
    expect(transformOne([{ date: 'yyyyMMdd' }], '20240312')).toBe('2024-03-12');
    expect(transformOne([{ date: 'dd.MM.yyyy' }], '12.03.2024')).toBe('2024-03-12');
    expect(transformOne([{ date: 'd/M/yyyy' }], '1/3/2024')).toBe('2024-03-01');
    expect(transformOne([{ date: { formats: ['d MMMM yyyy'] } }], '5 août 2024')).toBe('2024-08-05');
    expect(transformOne([{ date: { formats: ['d MMMM yyyy'] } }], '31 février 2024')).toBe(
      'REJECT_TRANSFORM date: "31 février 2024" is not a date in d MMMM yyyy',
    );
  });

  test('an instant with an offset takes its day in the zone', () => {
    const step = { date: { formats: ['iso'], zone: 'Europe/Paris' } };
    expect(transformOne([step], '2024-03-31T22:30:00Z')).toBe('2024-04-01');
    expect(transformOne([step], '2024-03-31')).toBe('2024-03-31');
    expect(transformOne([{ date: 'iso' }], '2024-03-31T22:30:00Z')).toBe('2024-03-31');
  });
});

describe('datetime across the Paris clock changes', () => {
  const step = paris(['dd/MM/yyyy HH:mm', 'dd/MM/yyyy HH:mm:ss', 'iso']);
  test.each([
    ['15/01/2024 12:00', '2024-01-15T11:00:00.000Z'],
    ['15/07/2024 12:00', '2024-07-15T10:00:00.000Z'],
    // Spring forward, 31 March 2024: 02:00 becomes 03:00.
    ['31/03/2024 01:59', '2024-03-31T00:59:00.000Z'],
    ['31/03/2024 03:00', '2024-03-31T01:00:00.000Z'],
    // Fall back, 27 October 2024: 02:00–02:59 happens twice; luxon takes the second (standard time).
    ['27/10/2024 01:59:59', '2024-10-26T23:59:59.000Z'],
    ['27/10/2024 02:30', '2024-10-27T01:30:00.000Z'],
    ['27/10/2024 03:00', '2024-10-27T02:00:00.000Z'],
    ['2024-03-31T02:30:00+02:00', '2024-03-31T00:30:00.000Z'],
    ['2024-07-01 08:00', '2024-07-01T06:00:00.000Z'],
    ['01/01/0099 00:00', '0098-12-31T23:50:39.000Z'],
  ] as const)('%o → %o', (input, expected) => {
    expect(transformOne([step], input)).toBe(expected);
  });

  test('a time the clocks skip is rejected, not moved', () => {
    expect(transformOne([step], '31/03/2024 02:30')).toBe(
      'REJECT_TRANSFORM datetime: "31/03/2024 02:30" does not exist in Europe/Paris (the clocks skip that time)',
    );
  });

  test('a format luxon reads (two-digit years, month names) refuses a skipped time and places a repeated one alike', () => {
    const named = paris(['dd/MM/yy HH:mm', 'd MMMM yyyy HH:mm']);
    for (const text of ['31/03/24 02:30', '31 mars 2024 02:30'])
      expect(transformOne([named], text)).toBe(
        `REJECT_TRANSFORM datetime: "${text}" does not exist in Europe/Paris (the clocks skip that time)`,
      );
    expect(transformOne([named], '27/10/24 02:30')).toBe('2024-10-27T01:30:00.000Z');
    expect(transformOne([named], '15 juillet 2024 12:00')).toBe('2024-07-15T10:00:00.000Z');
  });

  test('a two-digit year reads as 1961–2060, and a longer number where yy stands is refused', () => {
    const short = { date: { formats: ['dd/MM/yy'] } };
    expect(transformOne([short], '01/01/45')).toBe('2045-01-01');
    expect(transformOne([short], '31/12/61')).toBe('1961-12-31');
    expect(transformOne([short], '01/01/202')).toMatch(/^REJECT_TRANSFORM date: "01\/01\/202" is not a date/);
    // An hour of 24 is refused, as the digit formats refuse it, not read as the next day's midnight.
    expect(transformOne([paris(['dd/MM/yy HH:mm'])], '15/06/24 24:00')).toMatch(
      /^REJECT_TRANSFORM datetime:/,
    );
    expect(transformOne([paris(['dd/MM/yy HH:mm'])], '15/06/24 23:59')).toBe('2024-06-15T21:59:00.000Z');
  });

  test('a time the clocks repeat is read as the later of its two instants, in standard time', () => {
    // 02:30 on 27 October 2024 in Paris is 00:30Z (summer time) and again 01:30Z (standard time).
    expect(transformOne([step], '27/10/2024 02:30')).toBe('2024-10-27T01:30:00.000Z');
  });

  test('local: true gives the local time of the zone, without an offset, for a column without one', () => {
    const local = { datetime: { zone: 'Europe/Paris', local: true } };
    expect(transformOne([local], '2024-01-15T11:00:00.000Z')).toBe('2024-01-15T12:00:00.000');
    expect(transformOne([local], '2024-07-15T10:00:00Z')).toBe('2024-07-15T12:00:00.000');
    // The second 02:30 of the fall-back night, and an instant given with another offset.
    expect(transformOne([local], '2024-10-27T01:30:00Z')).toBe('2024-10-27T02:30:00.000');
    expect(transformOne([local], '2024-07-15T08:00:00-04:00')).toBe('2024-07-15T14:00:00.000');
    // A wall-clock time stays as it is.
    expect(transformOne([local], '2024-07-15 12:00')).toBe('2024-07-15T12:00:00.000');
  });

  test('a date-only format gives local midnight', () => {
    expect(transformOne([paris(['dd/MM/yyyy'])], '01/07/2024')).toBe('2024-06-30T22:00:00.000Z');
    expect(transformOne([paris(['dd/MM/yyyy'])], '32/07/2024')).toBe(
      'REJECT_TRANSFORM datetime: "32/07/2024" is not a date-time in dd/MM/yyyy',
    );
  });

  test('the cached hour offsets give the same instants as luxon for every minute around both changes', async () => {
    const { DateTime } = await import('luxon');
    for (const day of ['31/03/2024', '27/10/2024']) {
      for (let minute = 0; minute < 5 * 60; minute++) {
        const hh = String(Math.floor(minute / 60)).padStart(2, '0');
        const mm = String(minute % 60).padStart(2, '0');
        const text = `${day} ${hh}:${mm}`;
        const luxon = DateTime.fromFormat(text, 'dd/MM/yyyy HH:mm', { zone: 'Europe/Paris' });
        const ours = transformOne([step], text);
        const skipped = luxon.toFormat('HH:mm') !== `${hh}:${mm}`;
        expect(ours).toEqual(skipped ? expect.stringContaining('does not exist') : luxon.toUTC().toISO());
      }
    }
  });
});

describe('spreadsheet serial days (excel, excel1904)', () => {
  const excel = { date: { formats: ['dd/MM/yyyy', 'excel'] } };
  test.each([
    ['45292', '2024-01-01'],
    [45292, '2024-01-01'],
    ['45292,75', '2024-01-01'],
    ['1', '1900-01-01'],
    ['59', '1900-02-28'],
    ['61', '1900-03-01'],
    ['12/03/2024', '2024-03-12'],
  ] as const)('%o → %o', (input, expected) => {
    expect(transformOne([excel], input)).toBe(expected);
  });

  test.each(['60', '0', '2958466', '-5', '4529x', '1e5'])('rejects %o', (input) => {
    expect(transformOne([excel], input)).toBe(
      `REJECT_TRANSFORM date: "${input}" is not a date in dd/MM/yyyy or excel serial days`,
    );
  });

  test('reads the 1904 system, and a serial with its time as a local time of the zone', () => {
    expect(transformOne([{ date: { formats: ['excel1904'] } }], '43830')).toBe('2024-01-01');
    // 45382.5 is 2024-03-31 12:00 in Paris, after the clocks went forward (UTC+2).
    expect(transformOne([paris(['excel'])], 45382.5)).toBe('2024-03-31T10:00:00.000Z');
    expect(transformOne([paris(['excel'])], '45292,25')).toBe('2024-01-01T05:00:00.000Z');
  });
});

describe('ISO 8601 after the formats', () => {
  test('a date a file scan has already typed passes formats that do not name iso', () => {
    expect(transformOne([{ date: { formats: ['dd/MM/yyyy'] } }], '1993-06-04')).toBe('1993-06-04');
    expect(transformOne([{ date: { formats: ['dd/MM/yyyy'] } }], '04/06/1993')).toBe('1993-06-04');
    expect(transformOne([paris(['dd/MM/yyyy HH:mm'])], '2024-01-02T10:00:00')).toBe(
      '2024-01-02T09:00:00.000Z',
    );
    // The rejection still names the formats the mapping gave.
    expect(transformOne([{ date: { formats: ['dd/MM/yyyy'] } }], '1993/06/04')).toBe(
      'REJECT_TRANSFORM date: "1993/06/04" is not a date in dd/MM/yyyy',
    );
  });
});

describe('datetime fractions', () => {
  test('microseconds cross a zone change exactly, both ways', () => {
    const utc = { datetime: { zone: 'Europe/Paris' } };
    expect(transformOne([utc], '2024-07-01 12:00:00.123456')).toBe('2024-07-01T10:00:00.123456Z');
    expect(transformOne([utc], '2024-07-01T12:00:00.000001')).toBe('2024-07-01T10:00:00.000001Z');
    expect(transformOne([utc], '2024-07-01T12:00:00.1234567+02:00')).toBe('2024-07-01T10:00:00.1234567Z');
    expect(transformOne([utc], '2024-07-01T12:00:00.500000')).toBe('2024-07-01T10:00:00.500Z');
    const local = { datetime: { zone: 'Europe/Paris', local: true } };
    expect(transformOne([local], '1970-01-01T00:00:00.000001Z')).toBe('1970-01-01T01:00:00.000001');
  });
});
