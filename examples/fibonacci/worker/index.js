// SPDX-License-Identifier: Apache-2.0
/**
 * The fibonacci worker: subscribes to the Redis `insert` channel and, for
 * each index published there, writes fib(index) into the Redis hash
 * `values`, where the API's /values/current reads it.
 */
import { RedisClient, subscribe } from '../lib/redis-client.js';

/** fib is the Fibonacci number with fib(0) = 0, fib(1) = 1 (so fib(7) = 13). */
export function fib(index) {
  let [a, b] = [0, 1];
  for (let i = 0; i < index; i++) [a, b] = [b, a + b];
  return a;
}

const host = process.env.REDIS_HOST || 'redis-cluster-ip-service';
const port = process.env.REDIS_PORT || 6379;
const redis = new RedisClient({ host, port });

subscribe({
  host, port, channel: 'insert',
  onMessage: (message) => {
    const index = Number.parseInt(message, 10);
    if (!Number.isInteger(index) || index < 0 || index > 1000) return;
    redis.command('HSET', 'values', String(index), String(fib(index))).then(
      () => console.log(`fib(${index}) = ${fib(index)}`),
      (err) => console.error(`could not store fib(${index}): ${err.message}`),
    );
  },
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
