/** A throw-away MySQL/MariaDB database for one suite, dropped after it. */
import knexFactory, { type Knex } from 'knex';
import { SERVERS } from './servers.ts';

export class ScratchMysql {
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  /** The database's URL, as `user` (with `password`) when given. */
  url(user?: string, password?: string): string {
    const u = new URL(SERVERS.mysql);
    u.pathname = `/${this.name}`;
    if (user) u.username = user;
    if (password) u.password = password;
    return u.toString();
  }

  /** Drops what an earlier run left and creates the database; `work` then runs as the administrator. */
  async create(work?: (admin: Knex) => Promise<void>): Promise<void> {
    await this.#asAdmin(async (admin) => {
      await admin.raw(`DROP DATABASE IF EXISTS ${this.name}`);
      await admin.raw(`CREATE DATABASE ${this.name}`);
      await work?.(admin);
    });
  }

  /** Drops the database; `work` runs first, as the administrator (dropping users…). */
  async drop(work?: (admin: Knex) => Promise<void>): Promise<void> {
    await this.#asAdmin(async (admin) => {
      await work?.(admin);
      await admin.raw(`DROP DATABASE IF EXISTS ${this.name}`);
    });
  }

  async #asAdmin(work: (admin: Knex) => Promise<void>): Promise<void> {
    const admin = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
    try {
      await work(admin);
    } finally {
      await admin.destroy();
    }
  }
}
