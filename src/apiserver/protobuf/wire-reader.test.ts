// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WireError, WireReader, WireType } from './wire-reader.js';
import { WireWriter, encodeVarint } from './wire-writer.js';

describe('WireReader', () => {
  it('reads varints of every width, signed and unsigned', () => {
    const body = new WireWriter().varint(1, 1).varint(2, 300).varint(3, -1).varint(4, 2n ** 62n).varint(5, -(2n ** 40n)).varint(6, true).finish();
    const r = new WireReader(body);
    assert.deepEqual(r.readTag(), { field: 1, wireType: WireType.Varint });
    assert.equal(r.readInt32(), 1);
    r.readTag();
    assert.equal(r.readUint32(), 300);
    r.readTag();
    assert.equal(r.readInt32(), -1); // a 10-byte sign-extended varint
    r.readTag();
    assert.equal(r.readInt64(), 2n ** 62n);
    r.readTag();
    assert.equal(r.readInt64(), -(2n ** 40n));
    r.readTag();
    assert.equal(r.readBool(), true);
    assert.ok(r.done);
  });

  it('reads strings, bytes, doubles and embedded messages without running past them', () => {
    const inner = new WireWriter().string(1, 'héllo');
    const body = new WireWriter().message(1, inner).double(2, 2.5).varint(3, 9).finish();
    const r = new WireReader(body);
    r.readTag();
    const sub = r.readMessage();
    sub.readTag();
    assert.equal(sub.readString(), 'héllo');
    assert.ok(sub.done);
    r.readTag();
    assert.equal(r.readDouble(), 2.5);
    assert.deepEqual(r.readTag(), { field: 3, wireType: WireType.Varint });
  });

  it('skips every wire type, including groups', () => {
    const group = Buffer.concat([encodeVarint((7n << 3n) | 3n), encodeVarint(1n << 3n), encodeVarint(5n), encodeVarint((7n << 3n) | 4n)]);
    const fixed32 = Buffer.concat([encodeVarint((8n << 3n) | 5n), Buffer.alloc(4)]);
    const body = new WireWriter().varint(1, 5).double(2, 1).string(3, 'x').raw(group).raw(fixed32).varint(9, 42).finish();
    const r = new WireReader(body);
    for (let i = 0; i < 5; i++) {
      const t = r.readTag();
      r.skip(t.wireType, t.field);
    }
    assert.deepEqual(r.readTag(), { field: 9, wireType: WireType.Varint });
    assert.equal(r.readInt32(), 42);
  });

  it('refuses truncated data, overlong varints and field number 0', () => {
    assert.throws(() => new WireReader(Buffer.from([0x80])).readUint32(), WireError);
    const skipTooLong = new WireReader(Buffer.from([0x0a, 0x05, 0x61]));
    const tag = skipTooLong.readTag();
    assert.throws(() => skipTooLong.skip(tag.wireType), WireError);
    const lenTooLong = new WireReader(Buffer.from([0x0a, 0x05, 0x61]));
    lenTooLong.readTag();
    assert.throws(() => lenTooLong.readBytes(), /truncated/);
    assert.throws(() => new WireReader(Buffer.alloc(11, 0xff)).readUint64(), /longer than 10 bytes/);
    assert.throws(() => new WireReader(Buffer.from([0x02, 0x00])).readTag(), /field number 0/);
  });
});
