// SPDX-License-Identifier: Apache-2.0
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateV2Format, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ACCEPT } from './v2-media-types.js';

describe('negotiateV2Format', () => {
  it('serves protobuf for both spellings client-go and upstream use', () => {
    assert.equal(negotiateV2Format(OPENAPI_V2_PROTOBUF_ACCEPT), 'protobuf');
    assert.equal(negotiateV2Format(OPENAPI_V2_PROTOBUF), 'protobuf');
  });

  it('serves JSON without an Accept header, for JSON and for wildcards', () => {
    for (const accept of [undefined, '', 'application/json', '*/*', 'application/*', 'application/json;charset=utf-8']) {
      assert.equal(negotiateV2Format(accept), 'json', String(accept));
    }
  });

  it('follows q-values and specificity, and skips q=0', () => {
    assert.equal(negotiateV2Format(`application/json;q=0.5, ${OPENAPI_V2_PROTOBUF_ACCEPT}`), 'protobuf');
    assert.equal(negotiateV2Format(`*/*, ${OPENAPI_V2_PROTOBUF_ACCEPT}`), 'protobuf');
    assert.equal(negotiateV2Format(`${OPENAPI_V2_PROTOBUF_ACCEPT};q=0, application/json;q=0.1`), 'json');
  });

  it('refuses anything else (406)', () => {
    for (const accept of ['application/yaml', 'text/html', 'application/vnd.kubernetes.protobuf', 'application/json;q=0']) {
      assert.equal(negotiateV2Format(accept), undefined, accept);
    }
  });
});
