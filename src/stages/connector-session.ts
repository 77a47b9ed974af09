/**
 * Connectors shared by the stages of one run: `audit` inventories and then profiles the same
 * sources, and a connector that has scanned a file or read a catalog keeps what it learnt.
 */
import type { SourceConfig, TargetConfig } from '../config/schema.ts';
import { openConnector } from '../connectors/registry.ts';
import type { Connector, ConnectorContext, OpenMode } from '../connectors/types.ts';

/** Opens each source once per mode and closes them all at the end of the run. */
export class ConnectorSession {
  readonly #open = new Map<string, Promise<Connector>>();

  /** The connector of `name` in `mode`, opened on first use. */
  get(
    name: string,
    config: SourceConfig | TargetConfig,
    mode: OpenMode,
    onQuery?: ConnectorContext['onQuery'],
  ): Promise<Connector> {
    const key = `${mode}:${name}`;
    let connector = this.#open.get(key);
    if (!connector) {
      // The stages of a session inventory and then profile: a file is profiled in its scan.
      connector = openConnector(config, { name, mode, observeFiles: true, ...(onQuery ? { onQuery } : {}) });
      this.#open.set(key, connector);
    }
    return connector;
  }

  /** Closes every connector opened so far; safe to call twice. */
  async close(): Promise<void> {
    const open = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(
      open.map(async (c) => (await c.catch(() => undefined))?.close().catch(() => undefined)),
    );
  }
}
