// A child process of the fan-out benchmark holding a share of the 1,000 subscribers:
// it connects one Socket.IO client per token, subscribes each to the stage, and records
// for every `chat:message` the time from the send (written into the message by the
// sender, same machine clock) to its arrival here.
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';

const now = () => performance.timeOrigin + performance.now();

let sockets = [];
let latencies = [];
let received = 0;
let firstAt = Infinity;
let lastAt = 0;

async function connectAll({ baseUrl, stageId, tokens }) {
  const connectOne = (token) =>
    new Promise((resolve, reject) => {
      const socket = io(baseUrl, {
        path: '/realtime',
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        timeout: 30_000,
      });
      socket.on('chat:message', (msg) => {
        const t = now();
        const sentAt = Number(String(msg.message ?? msg.text ?? '').split(' ')[2]);
        received++;
        if (t < firstAt) firstAt = t;
        lastAt = t;
        if (Number.isFinite(sentAt)) latencies.push(t - sentAt);
      });
      socket.once('connect_error', reject);
      socket.once('connect', () => {
        socket.timeout(120_000).emit('stage:subscribe', { stageId }, (err, ack) => {
          if (err) return reject(err);
          if (!ack?.ok) return reject(new Error(`subscribe refused: ${JSON.stringify(ack)}`));
          resolve(socket);
        });
      });
    });
  // In batches, so the gateway's handshakes (token checks, subscribe RPCs) do not time out.
  for (let i = 0; i < tokens.length; i += 20) {
    sockets.push(...(await Promise.all(tokens.slice(i, i + 20).map(connectOne))));
  }
  return sockets.length;
}

process.on('message', async (msg) => {
  try {
    if (msg.type === 'connect') {
      const n = await connectAll(msg);
      process.send({ type: 'connected', n });
    } else if (msg.type === 'reset') {
      latencies = [];
      received = 0;
      firstAt = Infinity;
      lastAt = 0;
      process.send({ type: 'reset' });
    } else if (msg.type === 'collect') {
      process.send({ type: 'collected', latencies, received, firstAt, lastAt });
    } else if (msg.type === 'close') {
      for (const s of sockets) s.close();
      sockets = [];
      process.send({ type: 'closed' });
      setTimeout(() => process.exit(0), 100);
    }
  } catch (err) {
    process.send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
