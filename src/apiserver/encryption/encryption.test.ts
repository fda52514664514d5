// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MemoryStore } from '../../storage/index.js';
import { AesGcmTransformer, AESGCM_PREFIX, DecryptionError } from './aes-gcm-transformer.js';
import { encryptedStore } from './encrypted-store.js';
import { encryptionKeysPath, loadOrCreateKeys, rotateEncryptionKey } from './encryption-keys.js';
import { reencryptSecrets } from './reencrypt.js';

const key = (name: string) => ({ name, secret: randomBytes(32) });
const SECRET_KEY = '/registry/secrets/default/s1';

describe('AesGcmTransformer', () => {
  it('writes the upstream prefix with the key name and round-trips', () => {
    const t = new AesGcmTransformer([key('k1')]);
    const sealed = t.seal(SECRET_KEY, '{"data":"hunter2"}');
    assert.ok(sealed.startsWith(`${AESGCM_PREFIX}k1:`));
    assert.ok(!sealed.includes('hunter2'));
    assert.deepEqual(t.open(SECRET_KEY, sealed), { plaintext: '{"data":"hunter2"}', stale: false });
  });

  it('binds the value to its storage key and detects tampering', () => {
    const t = new AesGcmTransformer([key('k1')]);
    const sealed = t.seal(SECRET_KEY, 'x');
    assert.throws(() => t.open('/registry/secrets/default/other', sealed), DecryptionError);
    const flipped = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.throws(() => t.open(SECRET_KEY, flipped), DecryptionError);
  });

  it('after rotation seals with the new key and still opens the old ones', () => {
    const old = key('k1');
    const sealedOld = new AesGcmTransformer([old]).seal(SECRET_KEY, 'v');
    const rotated = new AesGcmTransformer([key('k2'), old]);
    assert.deepEqual(rotated.open(SECRET_KEY, sealedOld), { plaintext: 'v', stale: true });
    assert.ok(rotated.seal(SECRET_KEY, 'v').startsWith(`${AESGCM_PREFIX}k2:`));
    assert.throws(() => new AesGcmTransformer([key('k3')]).open(SECRET_KEY, sealedOld), /no key named "k1"/);
  });
});

describe('encryptedStore', () => {
  it('stores Secrets sealed, returns them plain through get, list and watch, and leaves other keys alone', async () => {
    const inner = new MemoryStore();
    const store = encryptedStore(inner, [key('k1')]);
    const ac = new AbortController();
    const watch = store.watch({ prefix: '/registry/secrets/', afterRevision: await store.currentRevision(), signal: ac.signal })[Symbol.asyncIterator]();
    const created = await store.create(SECRET_KEY, '{"v":"plain"}');
    assert.equal(created.value, '{"v":"plain"}');
    await store.create('/registry/configmaps/default/c', '{"v":"cm"}');
    assert.ok((await inner.get(SECRET_KEY))!.value.startsWith(AESGCM_PREFIX));
    assert.equal((await inner.get('/registry/configmaps/default/c'))!.value, '{"v":"cm"}');
    assert.equal((await store.get(SECRET_KEY))!.value, '{"v":"plain"}');
    assert.deepEqual((await store.list({ prefix: '/registry/secrets/' })).items.map((kv) => kv.value), ['{"v":"plain"}']);
    let ev = await watch.next();
    while (!ev.done && ev.value.type === 'progress') ev = await watch.next();
    assert.equal(!ev.done && ev.value.type === 'put' && ev.value.kv.value, '{"v":"plain"}');
    ac.abort();
    await store.close();
  });

  it('opens Secrets in a watch over them or over everything; any other watch is the backend\'s own stream', async () => {
    const inner = new MemoryStore();
    const store = encryptedStore(inner, [key('k1')]);
    const ac = new AbortController();
    const opts = (prefix: string) => ({ prefix, afterRevision: 0, signal: ac.signal });
    // A ConfigMap watch cannot meet a sealed value, so it gets no extra step per event.
    const configmaps = store.watch(opts('/registry/configmaps/'))[Symbol.asyncIterator]();
    assert.equal(Object.getPrototypeOf(configmaps), Object.getPrototypeOf(inner.watch(opts('/registry/configmaps/'))[Symbol.asyncIterator]()));
    await store.create(SECRET_KEY, '{"v":"plain"}');
    for (const prefix of ['/registry/', '/registry/secrets/default/', '/']) {
      const watch = store.watch(opts(prefix))[Symbol.asyncIterator]();
      let ev = await watch.next();
      while (!ev.done && ev.value.type === 'progress') ev = await watch.next();
      assert.equal(!ev.done && ev.value.type === 'put' && ev.value.kv.value, '{"v":"plain"}', prefix);
    }
    ac.abort();
    await store.close();
  });

  it('reads values written before encryption was turned on, and re-encrypts them with the primary key', async () => {
    const inner = new MemoryStore();
    await inner.create(SECRET_KEY, '{"v":"old"}');
    const store = encryptedStore(inner, [key('k2'), key('k1')]);
    assert.equal((await store.get(SECRET_KEY))!.value, '{"v":"old"}');
    assert.equal(await reencryptSecrets(store), 1);
    assert.ok((await inner.get(SECRET_KEY))!.value.startsWith(`${AESGCM_PREFIX}k2:`));
    assert.equal((await store.get(SECRET_KEY))!.value, '{"v":"old"}');
    await store.close();
  });
});

describe('key file', () => {
  it('is generated once as an EncryptionConfiguration and rotated by putting a new key first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-enc-'));
    try {
      const first = loadOrCreateKeys(dir);
      assert.equal(first.length, 1);
      assert.deepEqual(loadOrCreateKeys(dir).map((k) => k.secret.toString('hex')), first.map((k) => k.secret.toString('hex')));
      const cfg = JSON.parse(readFileSync(encryptionKeysPath(dir), 'utf8'));
      assert.equal(cfg.kind, 'EncryptionConfiguration');
      const name = rotateEncryptionKey(dir);
      const keys = loadOrCreateKeys(dir);
      assert.deepEqual(keys.map((k) => k.name), [name, first[0].name]);
      assert.notEqual(name, first[0].name);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
