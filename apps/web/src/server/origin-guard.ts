// Two checks on every request. Host: only the names this server answers to (its bind address, localhost,
// 127.0.0.1, [::1]), which defeats DNS rebinding. Origin: a state-changing request (POST, PUT, PATCH,
// DELETE) from a browser must come from this server's own origin, which defeats cross-site request forgery.
// Scripts (curl) send no Origin and pass; browsers always send one on cross-origin POSTs.
import type { FastifyReply, FastifyRequest } from 'fastify';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function originGuard(allowedHosts: readonly string[]) {
  const names = new Set([...LOOPBACK_NAMES, ...allowedHosts].map((h) => h.toLowerCase()));
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const host = (request.headers.host ?? '').toLowerCase();
    const hostname = host.replace(/:\d+$/, '');
    if (!names.has(hostname)) {
      return reply
        .code(421)
        .send({ error: `this server does not answer to host "${host}"; open it as http://127.0.0.1:<port>` });
    }
    if (SAFE_METHODS.has(request.method)) return;
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) {
      return reply.code(403).send({
        error: `cross-origin ${request.method} refused: origin "${origin}" is not this server (http://${host})`,
      });
    }
    if (request.headers['sec-fetch-site'] === 'cross-site') {
      return reply.code(403).send({ error: `cross-site ${request.method} refused` });
    }
  };
}
