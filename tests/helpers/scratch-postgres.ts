/** A throw-away PostgreSQL database for one suite, with the login roles it grants to, dropped after it. */
import knexFactory, { type Knex } from 'knex';
import { SERVERS } from './servers.ts';

export class ScratchPostgres {
  readonly #name: string;
  readonly #roles: Readonly<Record<string, string>>;
  #admin: Knex | undefined;

  /** `roles`: each login role's name, with its extra options (`BYPASSRLS`), or '' for none. */
  constructor(name: string, roles: Readonly<Record<string, string>> = {}) {
    this.#name = name;
    this.#roles = roles;
  }

  /** The database's URL, as `user` when given. */
  url(user?: string): string {
    const u = new URL(SERVERS.postgres);
    u.pathname = `/${this.#name}`;
    if (user) u.username = user;
    return u.toString();
  }

  /** The server's connection, as the administrator. */
  get admin(): Knex {
    this.#admin ??= knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    return this.#admin;
  }

  /** Drops what an earlier run left, then creates the roles and the database (`options`: `LC_CTYPE 'C' …`). */
  async create(options = ''): Promise<void> {
    await this.admin.raw(`DROP DATABASE IF EXISTS ${this.#name} WITH (FORCE)`);
    for (const [role, options] of Object.entries(this.#roles)) {
      await this.admin.raw(`DROP ROLE IF EXISTS ${role}`);
      await this.admin.raw(`CREATE ROLE ${role} LOGIN ${options}`);
    }
    await this.admin.raw(`CREATE DATABASE ${this.#name} ${options}`);
  }

  /** Runs `sql` (several statements allowed) in the database, as the administrator. */
  async run(sql: string): Promise<void> {
    const db = knexFactory({ client: 'pg', connection: this.url(), pool: { min: 0, max: 1 } });
    try {
      await db.raw(sql);
    } finally {
      await db.destroy();
    }
  }

  /** Drops the database and the roles, and closes the administrator's connection. */
  async drop(): Promise<void> {
    if (!this.#admin) return;
    await this.#admin.raw(`DROP DATABASE IF EXISTS ${this.#name} WITH (FORCE)`);
    for (const role of Object.keys(this.#roles)) await this.#admin.raw(`DROP ROLE IF EXISTS ${role}`);
    await this.#admin.destroy();
    this.#admin = undefined;
  }
}
