// Method instances kept between requests: creating one loads its model (hundreds of ms), so the last few
// (plugin, config) pairs stay loaded. Only the job queue calls in here, one job at a time, so an instance
// is never evicted while in use.
import type { PluginInstance, Registry } from '@attune/registry';

export class InstanceCache {
  readonly #entries = new Map<string, PluginInstance>();

  constructor(
    private readonly registry: Registry,
    private readonly capacity = 3,
  ) {}

  /** The instance of `plugin` for this (already parsed) config, created on first use. */
  async get(plugin: string, config: Record<string, unknown>): Promise<PluginInstance> {
    const key = JSON.stringify([plugin, config]);
    const cached = this.#entries.get(key);
    if (cached) {
      this.#entries.delete(key);
      this.#entries.set(key, cached); // most recently used last
      return cached;
    }
    const instance = await this.registry.create(plugin, config);
    this.#entries.set(key, instance);
    while (this.#entries.size > this.capacity) {
      const [oldest, entry] = this.#entries.entries().next().value as [string, PluginInstance];
      this.#entries.delete(oldest);
      await entry.dispose();
    }
    return instance;
  }

  async dispose(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    for (const entry of entries) await entry.dispose();
  }
}
