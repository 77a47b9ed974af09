/**
 * Secrets never leave the process: passwords and tokens given in URLs, fields, query strings and the
 * environment are fed to every command (inventory, profile, audit, report, plan, migrate), in runs that
 * succeed and runs that fail (wrong password, unreachable host, missing database, bad config, a failing
 * rule, rejected rows, an internal error with STOCKTAKE_DEBUG=1). Every byte those runs produced — stdout,
 * stderr, every file of the output folders, the XML parts inside each workbook, the checkpoint rows —
 * is searched for each secret in raw, percent-encoded, base64, JSON- and HTML-escaped forms, and for
 * the head and tail of each secret on their own, so a half-masked secret is caught too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');

const PREFIX = 'st_secrets_';
const SOURCE_DB = `${PREFIX}src`;
const TARGET_DB = `${PREFIX}tgt`;
const MY_DB = `${PREFIX}my`;
const MY_USER = `${PREFIX}user`;

/** A secret whose head and tail are distinctive on their own, around characters that need escaping. */
interface Secret {
  readonly name: string;
  readonly value: string;
  readonly head: string;
  readonly tail: string;
}
const secret = (name: string, head: string, middle: string, tail: string): Secret => ({
  name,
  value: `${head}${middle}${tail}`,
  head,
  tail,
});

const SECRETS = {
  pgUrl: secret('PostgreSQL URL password', 'QxPgUrlHead7', '-%@:/#?&=+ é"', 'PgUrlTail7Zq'),
  pgQuery: secret('PostgreSQL ?sslpassword=', 'QxSslPwHead3', '&;,}', 'SslPwTail3Zq'),
  myField: secret('MariaDB password field', 'QxMyFieldHd5', '@:/#?&="é', 'MyFieldTl5Zq'),
  myWrong: secret('MariaDB wrong URL password', 'QxMyWrongHd2', '%@/', 'MyWrongTl2Zq'),
  downUrl: secret('unreachable host password', 'QxDownHead11', '!$', 'DownTail11Zq'),
  downQuery: secret('?password= of an unreachable host', 'QxQryPwHead4', ' +', 'QryPwTail4Zq'),
  noDb: secret('missing database password', 'QxNoDbHead66', '*', 'NoDbTail66Zq'),
  target: secret('target URL password', 'QxTargetHd81', '@#', 'TargetTl81Zq'),
  hash: secret('hash transform secret', 'QxHashHead90', '-k3y/=', 'HashTail90Zq'),
  numeric: secret('numeric password', '90417733', '', '55219'),
  rawInUrl: secret('unencoded password put into a URL', 'QxRawHead21', '#/?@', 'RawTail21Zq'),
  token: secret('token in a variable named like one', 'QxTokenHd31', "'", 'TokenTl31Zq'),
  yamlBroken: secret('password on a broken YAML line', 'QxYamlHead55', ':', 'YamlTail55Zq'),
} as const;

/** Every form a secret could take in an output. */
function formsOf(s: Secret): string[] {
  const forms = new Set<string>();
  for (const text of [s.value, s.head, s.tail]) {
    forms.add(text);
    forms.add(encodeURIComponent(text));
    forms.add(encodeURIComponent(text).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    forms.add(Buffer.from(text).toString('base64').replace(/=+$/, ''));
    forms.add(Buffer.from(text).toString('base64url'));
    forms.add(JSON.stringify(text).slice(1, -1));
    forms.add(
      text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
    );
  }
  return [...forms].filter((f) => f.length >= 8);
}

interface Run {
  readonly label: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let dir: string;
const runs: Run[] = [];
const outDirs: string[] = [];
let pg: Knex | undefined;
let my: Knex | undefined;

const env = {
  ST_SECRETS_PG_URL: `postgres://postgres:${encodeURIComponent(SECRETS.pgUrl.value)}@127.0.0.1:5432/${SOURCE_DB}?sslpassword=${encodeURIComponent(SECRETS.pgQuery.value)}`,
  ST_SECRETS_MY_PASSWORD: SECRETS.myField.value,
  ST_SECRETS_TARGET_URL: `postgres://postgres:${encodeURIComponent(SECRETS.target.value)}@127.0.0.1:5432/${TARGET_DB}`,
  ST_SECRETS_HASH: SECRETS.hash.value,
  ST_SECRETS_NODB_PASSWORD: SECRETS.noDb.value,
  ST_SECRETS_RAW: SECRETS.rawInUrl.value,
  ST_SECRETS_API_TOKEN: SECRETS.token.value,
};

function cli(label: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [join(repo, 'bin/stocktake.js'), ...args], {
    cwd: dir,
    env: { ...process.env, ...env, FORCE_COLOR: '0', CI: '', STOCKTAKE_DEBUG: '', ...extraEnv },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const run = { label, code, stdout, stderr };
      runs.push(run);
      resolve(run);
    }),
  );
}

const out = (name: string) => {
  const path = join(dir, name);
  outDirs.push(path);
  return path;
};

/** Every text an output folder holds: plain files as they are, each XML part of a workbook on its own. */
async function outputTexts(folder: string): Promise<{ where: string; text: string }[]> {
  const texts: { where: string; text: string }[] = [];
  const visit = async (path: string): Promise<void> => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) await visit(join(path, entry));
      return;
    }
    const bytes = readFileSync(path);
    texts.push({ where: path, text: bytes.toString('utf8') });
    if (path.endsWith('.xlsx')) {
      const zip = await unzipper.Open.buffer(bytes);
      for (const part of zip.files) {
        texts.push({ where: `${path}!${part.path}`, text: (await part.buffer()).toString('utf8') });
      }
    }
  };
  await visit(folder);
  return texts;
}

const sourceYaml = `
sources:
  pgsrc: { kind: postgres, url: "\${ST_SECRETS_PG_URL}", schemas: [public] }
  mysrc:
    kind: mariadb
    host: 127.0.0.1
    port: 3306
    user: ${MY_USER}
    password: "\${ST_SECRETS_MY_PASSWORD}"
    database: ${MY_DB}
  mybad: { kind: mariadb, url: "mysql://${MY_USER}:${encodeURIComponent(SECRETS.myWrong.value)}@127.0.0.1:3306/${MY_DB}" }
  pgdown:
    kind: postgres
    url: "postgres://postgres:${encodeURIComponent(SECRETS.downUrl.value)}@127.0.0.1:1/x?password=${encodeURIComponent(SECRETS.downQuery.value)}"
    connectTimeoutMs: 2000
  pgnodb: { kind: postgres, host: 127.0.0.1, user: postgres, password: "\${ST_SECRETS_NODB_PASSWORD}", database: ${PREFIX}nope }
rules:
  - { dataset: pgsrc.public.customers, column: email, check: format, format: email, maxFailRate: 0, severity: error }
`;

const mappingYaml = `
sources:
  pgsrc: { kind: postgres, url: "\${ST_SECRETS_PG_URL}", schemas: [public] }
targets:
  pgtgt: { kind: postgres, url: "\${ST_SECRETS_TARGET_URL}" }
mappings:
  - name: contacts
    from: { source: pgsrc, dataset: public.customers }
    to: { target: pgtgt, dataset: contacts, key: [external_id], mode: upsert }
    fields:
      external_id: { from: id, transform: [text, { hash: { secret: "\${ST_SECRETS_HASH}", length: 16 } }] }
      email: { from: email, transform: [trim, lowercase], validate: email, onInvalid: reject }
`;

// A filter with a syntax error: MariaDB quotes the statement near the error, the token included.
const whereYaml = `
sources:
  mysrc: { kind: mariadb, host: 127.0.0.1, user: ${MY_USER}, password: "\${ST_SECRETS_MY_PASSWORD}", database: ${MY_DB} }
targets:
  pgtgt: { kind: postgres, url: "\${ST_SECRETS_TARGET_URL}" }
mappings:
  - name: orders
    from: { source: mysrc, dataset: orders, where: "total > 0 AND AND note = '\${ST_SECRETS_API_TOKEN}'" }
    to: { target: pgtgt, dataset: contacts, key: [external_id] }
    fields:
      external_id: { from: id, transform: [text] }
      email: { from: total, transform: [text] }
`;

describe.runIf(pgUp && myUp)('secrets never reach an output', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-secrets-'));
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    for (const db of [SOURCE_DB, TARGET_DB]) {
      await pg.raw(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await pg.raw(`CREATE DATABASE ${db}`);
    }
    const at = (db: string) =>
      knexFactory({ client: 'pg', connection: SERVERS.postgres.replace(/\/[^/]*$/, `/${db}`) });
    const src = at(SOURCE_DB);
    await src.raw('CREATE TABLE customers (id integer PRIMARY KEY, email text, note text)');
    await src.raw(
      `INSERT INTO customers SELECT i, CASE WHEN i % 10 = 0 THEN 'not-an-email-' || i ELSE 'c' || i || '@example.org' END, 'note ' || i FROM generate_series(1, 200) i`,
    );
    await src.destroy();
    const tgt = at(TARGET_DB);
    await tgt.raw('CREATE TABLE contacts (external_id text PRIMARY KEY, email text NOT NULL)');
    await tgt.destroy();

    my = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
    await my.raw(`DROP DATABASE IF EXISTS ${MY_DB}`);
    await my.raw(`DROP USER IF EXISTS '${MY_USER}'@'%'`);
    await my.raw(`CREATE DATABASE ${MY_DB}`);
    await my.raw(`CREATE TABLE ${MY_DB}.orders (id int PRIMARY KEY, total decimal(10,2))`);
    await my.raw(`INSERT INTO ${MY_DB}.orders VALUES (1, 10.50), (2, 20.25)`);
    await my.raw(`CREATE USER '${MY_USER}'@'%' IDENTIFIED BY ?`, [SECRETS.myField.value]);
    await my.raw(`GRANT SELECT ON ${MY_DB}.* TO '${MY_USER}'@'%'`);

    writeFileSync(join(dir, 'sources.yaml'), sourceYaml);
    writeFileSync(join(dir, 'mapping.yaml'), mappingYaml);
    writeFileSync(join(dir, 'where.yaml'), whereYaml);
    // A password not percent-encoded makes the url no URL: a config problem, found before connecting.
    writeFileSync(
      join(dir, 'raw-url.yaml'),
      'sources:\n  pgrawurl: { kind: postgres, url: "postgres://postgres:${ST_SECRETS_RAW}@127.0.0.1:1/x" }\n',
    );
    // A numeric literal password, and a second problem, so the config is refused with its problems listed.
    writeFileSync(
      join(dir, 'bad-config.yaml'),
      `sources:\n  pg: { kind: postgres, host: 127.0.0.1, user: postgres, password: ${SECRETS.numeric.value}, pool: { max: 0 } }\n`,
    );
    writeFileSync(
      join(dir, 'broken.yaml'),
      `sources:\n  pg: { kind: postgres, password: ${SECRETS.yamlBroken.value}, url: [ }\n`,
    );
    writeFileSync(
      join(dir, 'corrupt-plan.json'),
      '{"formatVersion":1,"mappings":[{"name":7}],"totals":null}',
    );
  }, 60_000);

  afterAll(async () => {
    await pg?.raw(`DROP DATABASE IF EXISTS ${SOURCE_DB} WITH (FORCE)`);
    await pg?.raw(`DROP DATABASE IF EXISTS ${TARGET_DB} WITH (FORCE)`);
    await pg?.destroy();
    await my?.raw(`DROP DATABASE IF EXISTS ${MY_DB}`);
    await my?.raw(`DROP USER IF EXISTS '${MY_USER}'@'%'`);
    await my?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs every command, in success and in failure, with the secrets in play', {
    timeout: 240_000,
  }, async () => {
    const checks: [Run, number][] = [];
    const expectCode = (run: Run, code: number) => checks.push([run, code]);
    // The sources that fail (wrong password, unreachable host, missing database) make these exit 3.
    expectCode(await cli('inventory', ['inventory', '-c', 'sources.yaml', '-o', out('inventory')]), 3);
    expectCode(
      await cli('inventory --json', [
        'inventory',
        '-c',
        'sources.yaml',
        '--json',
        '-o',
        out('inventory-json'),
      ]),
      3,
    );
    expectCode(
      await cli('audit, debug', ['audit', '-c', 'sources.yaml', '-o', out('audit')], {
        STOCKTAKE_DEBUG: '1',
      }),
      3,
    );
    expectCode(
      await cli('audit --json', ['audit', '-c', 'sources.yaml', '--json', '-o', out('audit-json')]),
      3,
    );
    expectCode(
      await cli('profile, every source', ['profile', '-c', 'sources.yaml', '-o', out('profile-all')]),
      3,
    );
    // Only the sources that answer: the failing rule alone decides.
    expectCode(
      await cli('profile', [
        'profile',
        '-c',
        'sources.yaml',
        '--only',
        'pgsrc',
        'mysrc',
        '-o',
        out('profile'),
      ]),
      1,
    );
    expectCode(
      await cli('report', [
        'report',
        '--inventory',
        join(dir, 'audit/inventory.json'),
        '--profile',
        join(dir, 'audit/profile.json'),
        '-o',
        out('report'),
      ]),
      0,
    );
    expectCode(
      await cli('plan', ['plan', '-c', 'mapping.yaml', '--json', '--detailed-exitcode', '-o', out('plan')]),
      2,
    );
    expectCode(await cli('migrate', ['migrate', '-c', 'mapping.yaml', '-o', out('migrate')]), 0);
    // The target database is dropped: the migration cannot reach it.
    await pg!.raw(`ALTER DATABASE ${TARGET_DB} RENAME TO ${TARGET_DB}_moved`);
    try {
      expectCode(
        await cli(
          'migrate, target missing, debug',
          ['migrate', '-c', 'mapping.yaml', '-o', out('migrate-fail')],
          {
            STOCKTAKE_DEBUG: '1',
          },
        ),
        3,
      );
      expectCode(
        await cli('plan, target missing', ['plan', '-c', 'mapping.yaml', '--json', '-o', out('plan-fail')]),
        3,
      );
    } finally {
      await pg!.raw(`ALTER DATABASE ${TARGET_DB}_moved RENAME TO ${TARGET_DB}`);
    }
    expectCode(
      await cli(
        'migrate, corrupt plan, debug',
        ['migrate', '-c', 'mapping.yaml', '--plan', 'corrupt-plan.json'],
        {
          STOCKTAKE_DEBUG: '1',
        },
      ),
      2,
    );
    // A filter the database refuses is a config problem (exit 2), its message the database's, masked.
    expectCode(await cli('plan, bad filter', ['plan', '-c', 'where.yaml', '-o', out('plan-where')]), 2);
    expectCode(
      await cli('migrate, bad filter', ['migrate', '-c', 'where.yaml', '--json', '-o', out('migrate-where')]),
      2,
    );
    // An error with its stack trace: the output folder cannot be created under a file.
    writeFileSync(join(dir, 'a-file'), '');
    const unwritable = await cli(
      'output folder under a file, debug',
      ['inventory', '-c', 'sources.yaml', '-o', 'a-file/out'],
      {
        STOCKTAKE_DEBUG: '1',
      },
    );
    expectCode(unwritable, 2);
    expect(unwritable.stderr).toMatch(/error OUTPUT_UNWRITABLE: [\s\S]*\n\s+at /);
    // The url holding a raw password is refused with the config, in every output form.
    for (const [label, extra] of [
      ['raw url, debug', { STOCKTAKE_DEBUG: '1' }],
      ['raw url --json', {}],
    ] as const) {
      const args = ['inventory', '-c', 'raw-url.yaml', '-o', out('raw-url')];
      const run = await cli(label, label.endsWith('--json') ? [...args, '--json'] : args, extra);
      expectCode(run, 2);
      expect(run.stderr).toContain('sources.pgrawurl.url: not a valid URL');
    }
    expectCode(await cli('bad config', ['inventory', '-c', 'bad-config.yaml', '-o', out('bad')]), 2);
    expectCode(
      await cli('broken YAML, debug', ['audit', '-c', 'broken.yaml', '-o', out('broken')], {
        STOCKTAKE_DEBUG: '1',
      }),
      2,
    );

    for (const [run, code] of checks) {
      expect({ label: run.label, code: run.code, stderr: run.stderr.slice(0, 2000) }).toEqual({
        label: run.label,
        code,
        stderr: expect.any(String),
      });
    }
    // The failures were the ones meant, each named by its code.
    const inventory = JSON.parse(readFileSync(join(dir, 'inventory/inventory.json'), 'utf8')) as {
      sources: { name: string; status: string; error?: { code: string } }[];
    };
    expect(Object.fromEntries(inventory.sources.map((s) => [s.name, s.error?.code ?? s.status]))).toEqual({
      pgsrc: 'ok',
      mysrc: 'ok',
      mybad: 'SOURCE_AUTH_FAILED',
      pgdown: 'SOURCE_UNREACHABLE',
      pgnodb: 'SOURCE_DATABASE_MISSING',
    });
    expect(runs.find((r) => r.label === 'bad config')!.stderr).toContain('sources.pg.password');
    const migrated = JSON.parse(readFileSync(join(dir, 'migrate/run.json'), 'utf8'));
    expect(migrated.mappings[0].rejected.mapping).toBe(20);
  });

  it('no secret, in any form, appears in any output', { timeout: 60_000 }, async () => {
    expect(runs.length).toBeGreaterThanOrEqual(17);
    const texts: { where: string; text: string }[] = [];
    for (const run of runs) {
      texts.push({ where: `${run.label}: stdout`, text: run.stdout });
      texts.push({ where: `${run.label}: stderr`, text: run.stderr });
    }
    for (const folder of outDirs) {
      try {
        texts.push(...(await outputTexts(folder)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    const target = knexFactory({
      client: 'pg',
      connection: SERVERS.postgres.replace(/\/[^/]*$/, `/${TARGET_DB}`),
    });
    try {
      const rows = await target.raw('SELECT * FROM stocktake_checkpoint');
      texts.push({ where: 'stocktake_checkpoint rows', text: JSON.stringify(rows.rows) });
      expect(rows.rows.length).toBeGreaterThan(0);
    } finally {
      await target.destroy();
    }
    // The outputs are really there: a workbook's parts, the report, rejects, run.json.
    const where = texts.map((t) => t.where);
    for (const expected of [
      'audit.xlsx!xl/sharedStrings.xml',
      'report.html',
      'rejects.csv',
      'run.json',
      'plan.html',
    ])
      expect(where.some((w) => w.endsWith(expected))).toBe(true);

    const leaks: string[] = [];
    for (const s of Object.values(SECRETS)) {
      const forms = formsOf(s);
      for (const { where: place, text } of texts) {
        for (const form of forms) {
          const at = text.indexOf(form);
          if (at >= 0)
            leaks.push(
              `${s.name} as ${JSON.stringify(form)} in ${place}: …${text.slice(Math.max(0, at - 80), at + 80)}…`,
            );
        }
      }
    }
    const forms = Object.values(SECRETS).reduce((n, s) => n + formsOf(s).length, 0);
    console.info(
      `${runs.length} runs; ${texts.length} outputs searched for ${forms} forms of ${Object.keys(SECRETS).length} secrets`,
    );
    expect(leaks).toEqual([]);
  });
});
