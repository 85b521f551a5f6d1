import net from 'node:net';
import type { Profile } from './profile.ts';
import type { RunningService, SimContext } from './context.ts';
import { excerpt } from './context.ts';
import { parseHttpRequest, serialiseResponse } from './http-request.ts';
import { httpPorts, routeRequest } from './http-routes.ts';

const IDLE_TIMEOUT_MS = 10_000;
const MAX_CONNECTIONS = 64;
/** Endless bodies: one chunk per tick, about 8 MB/s, so a client without a body cap never ends. */
const FILLER = Buffer.from(`<!-- ${'camsweep-endless-'.repeat(3_800)} -->\r\n`);
const FILLER_INTERVAL_MS = 8;

/** One request per connection, answered with exactly the bytes the profile describes. */
export async function startHttpServers(ctx: SimContext, profile: Profile): Promise<RunningService> {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const ports = httpPorts(profile);

  const streamEndless = (socket: net.Socket): void => {
    const timer = setInterval(() => {
      if (socket.destroyed || socket.writableNeedDrain) return;
      socket.write(FILLER);
    }, FILLER_INTERVAL_MS);
    socket.once('close', () => clearInterval(timer));
  };

  const onConnection = (port: number, socket: net.Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    let buf = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (data: Buffer) => {
      if (answered) return;
      buf = Buffer.concat([buf, data]);
      const parsed = parseHttpRequest(buf);
      if (parsed.state === 'incomplete') return;
      answered = true;
      const from = socket.remoteAddress?.replace(/^::ffff:/u, '') ?? '';
      const fromPort = socket.remotePort ?? 0;
      if (parsed.state === 'error') {
        ctx.hits.record({ proto: 'http', from, port: fromPort, kind: 'junk', detail: `${port} ${parsed.reason}: ${excerpt(buf)}` });
        socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      const req = parsed.request;
      try {
        const routed = routeRequest(profile, port, req, { ip: ctx.ip, mac: ctx.mac, now: () => new Date() });
        ctx.hits.record({ proto: 'http', from, port: fromPort, kind: req.method, detail: `${port} ${excerpt(req.target, 200)}` });
        if (routed.onvifOperation !== undefined) {
          ctx.hits.record({ proto: 'onvif', from, port: fromPort, kind: routed.onvifOperation, detail: `${port} ${req.path}` });
        }
        socket.write(serialiseResponse(routed.response, new Date()));
        if (routed.response.endless === true) streamEndless(socket);
        else socket.end();
      } catch (err) {
        ctx.onError('http', err);
        socket.destroy();
      }
    });
  };

  try {
    for (const port of ports) {
      const server = net.createServer((socket) => onConnection(port, socket));
      server.maxConnections = MAX_CONNECTIONS;
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: '0.0.0.0', port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (err) => ctx.onError('http-server', err));
    }
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }

  return {
    name: 'http',
    ports,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
