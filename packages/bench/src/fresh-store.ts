import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ResultStore } from './store.js';

/** A result store opened for one command, which it removes again if the command recorded no run in it. */
export interface OpenedStore {
  readonly store: ResultStore;
  /** Closes the store; when this command created the file and no run was written, deletes it (and the
   * directories created for it, if they are empty), so a failed `bench` leaves nothing behind. */
  close(): void;
}

export function openStoreForCommand(path: string): OpenedStore {
  const full = resolve(path);
  // Directories that do not exist yet: the store's mkdir creates them, and they go again with an unused store.
  const createdDirs: string[] = [];
  for (let dir = dirname(full); !existsSync(dir); dir = dirname(dir)) createdDirs.push(dir);
  const fileExisted = existsSync(full);
  const store = ResultStore.open(full);
  return {
    store,
    close() {
      const unused = !fileExisted && store.listRuns().length === 0;
      store.close();
      if (!unused) return;
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${full}${suffix}`, { force: true });
      for (const dir of createdDirs) {
        if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
      }
    },
  };
}
