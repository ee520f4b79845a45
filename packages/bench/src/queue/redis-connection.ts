import { InvalidBenchOptionError } from '../errors.js';

/** The environment variable a password may come from, so it stays out of shell history and `ps`. */
export const REDIS_PASSWORD_ENV = 'ATTUNE_REDIS_PASSWORD';

/** What BullMQ needs to connect (ioredis options with the URL). */
export interface QueueConnection {
  readonly url: string;
  readonly password?: string;
  /** BullMQ requires null: commands wait through a Redis restart instead of failing. */
  readonly maxRetriesPerRequest: null;
  /** Never give up reconnecting (a restarted Redis comes back); back off to at most 2 s. */
  readonly retryStrategy: (times: number) => number;
}

/**
 * Checks a `--queue` URL and turns it into connection options. `redis://[user:password@]host:port[/db]`,
 * or `rediss://` for TLS (Node's CA store; add a private CA with NODE_EXTRA_CA_CERTS). A password may be in
 * the URL or in $ATTUNE_REDIS_PASSWORD (the URL's wins).
 */
export function queueConnection(url: string, env: NodeJS.ProcessEnv = process.env): QueueConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidBenchOptionError(
      `--queue must be a Redis URL like redis://127.0.0.1:6379 or rediss://host:6380 (TLS), got "${url}"`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidBenchOptionError(
      `--queue must start with redis:// or rediss:// (TLS), got "${parsed.protocol}//" in ${redactUrl(url)}`,
    );
  }
  if (parsed.hostname === '') {
    throw new InvalidBenchOptionError(`--queue ${redactUrl(url)} names no host; e.g. redis://127.0.0.1:6379`);
  }
  const password = parsed.password === '' ? env[REDIS_PASSWORD_ENV] : undefined;
  return {
    url,
    ...(password ? { password } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  };
}

/** The URL with any password replaced by ***, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
