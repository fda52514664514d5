// SPDX-License-Identifier: Apache-2.0
/**
 * Decoding of `application/vnd.kubernetes.protobuf` request bodies.
 *
 * client-go's typed clients (and so most imperative kubectl commands) send
 * create/update bodies as protobuf and do not fall back to JSON on 415, so
 * the apiserver accepts protobuf in and always answers JSON. A body is, as
 * upstream's runtime/serializer/protobuf writes it, the 4-byte magic
 * `k8s\0` followed by a runtime.Unknown message: 1 typeMeta {1 apiVersion,
 * 2 kind}, 2 raw (the object's own message), 3 contentEncoding, 4 contentType.
 * The object comes back in the JSON shape every other client sends.
 */
import { newBadRequest, type StatusError } from '../../machinery/index.js';
import { decodeMessage, type DecodeContext } from './message-decoder.js';
import { messageForKind } from './schema/index.js';
import { WireError, WireReader, WireType } from './wire-reader.js';

/** PROTOBUF_MEDIA_TYPE is the Content-Type of Kubernetes protobuf bodies. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** PROTOBUF_MAGIC prefixes every Kubernetes protobuf body (upstream's protobuf serializer). */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** DecodedProtobufObject is a decoded body plus the field numbers no table knew (for fieldValidation=Strict/Warn). */
export interface DecodedProtobufObject {
  object: Record<string, unknown>;
  unknownFields: string[];
}

/** isProtobufMediaType tells whether a Content-Type header names Kubernetes protobuf (parameters ignored). */
export function isProtobufMediaType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

/** isProtobufKindSupported tells whether bodies of this apiVersion and kind can be decoded. */
export function isProtobufKindSupported(apiVersion: string, kind: string): boolean {
  return messageForKind(apiVersion, kind) !== undefined;
}

/**
 * decodeProtobufObject decodes a protobuf request body into a JSON-shaped
 * object with `apiVersion` and `kind` set from the envelope. It throws a 400
 * StatusError for a body without the magic, malformed or truncated protobuf,
 * or a kind it has no table for.
 */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  return decodeProtobufBody(body).object;
}

/** decodeProtobufBody is decodeProtobufObject that also reports unknown field numbers. */
export function decodeProtobufBody(body: Buffer): DecodedProtobufObject {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) {
    throw unknownFormat('the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  try {
    const envelope = readEnvelope(new WireReader(body, PROTOBUF_MAGIC.length));
    const { apiVersion, kind } = envelope;
    if (!kind) throw unknownFormat('the protobuf envelope names no kind');
    if (envelope.contentEncoding) throw unknownFormat(`content encoding ${JSON.stringify(envelope.contentEncoding)} of the embedded object is not supported`);
    if (envelope.contentType && envelope.contentType !== PROTOBUF_MEDIA_TYPE) {
      throw unknownFormat(`the embedded object has content type ${JSON.stringify(envelope.contentType)}, expected ${PROTOBUF_MEDIA_TYPE}`);
    }
    const message = messageForKind(apiVersion, kind);
    if (!message) throw unknownFormat(`protobuf is not supported for kind "${kind}" in version "${apiVersion}"; send it as application/json`);
    const ctx: DecodeContext = { unknownFields: [] };
    const decoded = decodeMessage(new WireReader(envelope.raw), message, '', ctx) as Record<string, unknown>;
    return { object: { apiVersion, kind, ...decoded }, unknownFields: ctx.unknownFields };
  } catch (err) {
    if (err instanceof WireError) throw unknownFormat(`invalid protobuf: ${err.message}`);
    throw err;
  }
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

function readEnvelope(r: WireReader): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  while (!r.done) {
    const tag = r.readTag();
    if (tag.wireType !== WireType.LengthDelimited) {
      r.skip(tag.wireType, tag.field);
      continue;
    }
    if (tag.field === 1) Object.assign(env, readTypeMeta(r.readMessage()));
    else if (tag.field === 2) env.raw = r.readBytes();
    else if (tag.field === 3) env.contentEncoding = r.readString();
    else if (tag.field === 4) env.contentType = r.readString();
    else r.skip(tag.wireType, tag.field);
  }
  return env;
}

function readTypeMeta(r: WireReader): { apiVersion: string; kind: string } {
  const tm = { apiVersion: '', kind: '' };
  while (!r.done) {
    const tag = r.readTag();
    if (tag.field === 1 && tag.wireType === WireType.LengthDelimited) tm.apiVersion = r.readString();
    else if (tag.field === 2 && tag.wireType === WireType.LengthDelimited) tm.kind = r.readString();
    else r.skip(tag.wireType, tag.field);
  }
  return tm;
}

/** unknownFormat words the 400 like upstream's undecodable-body errors. */
function unknownFormat(why: string): StatusError {
  return newBadRequest(`the body of the request was in an unknown format - ${why}`);
}
