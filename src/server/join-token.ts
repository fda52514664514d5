// SPDX-License-Identifier: Apache-2.0
/**
 * createJoinToken makes what `skiff token create` prints: a bootstrap token
 * Secret created through the API (as `kubeadm token create`) and the join
 * token text that carries it with the CA pin, so the joining agent can
 * check it talks to this cluster before it sends the token anywhere.
 */
import { R, type Client } from '../client/index.js';
import { caPublicKeyHash } from '../pki/index.js';
import { bootstrapTokenSecret, formatJoinToken, generateBootstrapToken, BOOTSTRAP_TOKEN_NAMESPACE } from '../api/index.js';
import { isAlreadyExists } from '../machinery/index.js';

/** DEFAULT_TOKEN_TTL_SECONDS is kubeadm's default token TTL (24h). */
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 3600;

export interface JoinTokenOptions {
  /** caCert is the cluster CA (PEM) whose public key the token pins. */
  caCert: string;
  /** ttlSeconds: 0 never expires. */
  ttlSeconds?: number;
  description?: string;
}

/** createJoinToken creates a fresh bootstrap token Secret and returns `K10<ca-hash>::<id>.<secret>`. */
export async function createJoinToken(client: Client, o: JoinTokenOptions): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const token = generateBootstrapToken();
    const secret = bootstrapTokenSecret(token, { ttlSeconds: o.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS, description: o.description });
    try {
      await client.create(R.secrets, secret, { namespace: BOOTSTRAP_TOKEN_NAMESPACE });
      return formatJoinToken(caPublicKeyHash(o.caCert), token);
    } catch (err) {
      // A random id that is taken (one in 36^6) is drawn again.
      if (!isAlreadyExists(err) || attempt > 3) throw err;
    }
  }
}
