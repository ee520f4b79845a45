import { createWebApp, type WebAppOptions } from './app.js';

export const DEFAULT_HOST = '127.0.0.1';
/** Fixed, so bookmarks and the README's links keep working. */
export const DEFAULT_PORT = 7412;

export interface StartedServer {
  /** e.g. http://127.0.0.1:7412 */
  readonly url: string;
  close(): Promise<void>;
}

/** Creates the app and listens; port 0 picks a free port (tests). */
export async function startWebServer(
  options: WebAppOptions & { host?: string; port?: number },
): Promise<StartedServer> {
  const host = options.host ?? DEFAULT_HOST;
  const app = await createWebApp({ ...options, allowedHosts: [...(options.allowedHosts ?? []), host] });
  await app.server.listen({ host, port: options.port ?? DEFAULT_PORT });
  const address = app.server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shown}:${port}`, close: () => app.close() };
}
