import net from 'node:net';

/**
 * Raw TCP servers on 127.0.0.1 ephemeral ports, so a test controls every byte and every stall
 * of an HTTP exchange. Each server records the request heads it receives; `onRequest` is called
 * once a head (up to the blank line) has arrived and answers on the socket as it likes.
 *
 * Servers and their open sockets stay registered until `closeRawServers` runs: call it from
 * `afterEach(closeRawServers)` in every test file that starts one.
 */
export interface RawServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  /** Request heads received so far (latin1), in arrival order. */
  readonly requests: readonly string[];
  /** Connections accepted so far. */
  readonly connections: number;
  /** Destroys this server's open sockets and stops listening; the port then refuses connections. */
  close: () => Promise<void>;
}

interface Running {
  server: net.Server;
  sockets: Set<net.Socket>;
}

const running = new Set<Running>();

function stop(entry: Running): Promise<void> {
  running.delete(entry);
  for (const socket of entry.sockets) socket.destroy();
  entry.sockets.clear();
  return new Promise<void>((resolve) => entry.server.close(() => resolve()));
}

/** Starts a raw server; `onRequest` gets the socket and the request head (latin1). */
export async function rawServer(onRequest: (socket: net.Socket, head: string) => void): Promise<RawServer> {
  const requests: string[] = [];
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      requests.push(head);
      onRequest(socket, head);
    };
    socket.on('data', onData);
  });
  const entry: Running = { server, sockets };
  running.add(entry);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    requests,
    get connections() {
      return connections;
    },
    close: () => stop(entry),
  };
}

/** Closes every raw server still running and destroys its sockets. For `afterEach`. */
export async function closeRawServers(): Promise<void> {
  await Promise.all([...running].map(stop));
}
