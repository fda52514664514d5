// SPDX-License-Identifier: Apache-2.0
/**
 * Protobuf field table of authentication.k8s.io/v1 (Kubernetes 1.32): only the messages reachable
 * from the kinds this server decodes. Notation is described in ./field-spec.ts.
 */
import type { SchemaPackage } from './field-spec.js';

/** AUTHENTICATION_V1 lists the authentication.k8s.io/v1 messages by name, in the notation of field-spec.ts. */
export const AUTHENTICATION_V1: SchemaPackage = {
  pkg: 'authentication',
  apiVersion: 'authentication.k8s.io/v1',
  kinds: ['TokenRequest', 'TokenReview', 'SelfSubjectReview'],
  messages: {
    BoundObjectReference: 'kind=1:string apiVersion=2:string name=3:string uid=4:string',
    ExtraValue: '@=1:[]string',
    SelfSubjectReview: 'metadata=1:meta.ObjectMeta status=2:SelfSubjectReviewStatus',
    SelfSubjectReviewStatus: 'userInfo=1:UserInfo',
    TokenRequest: 'metadata=1:meta.ObjectMeta spec=2:TokenRequestSpec! status=3:TokenRequestStatus',
    TokenRequestSpec:
      'audiences=1:[]string expirationSeconds=4:int64? boundObjectRef=3:BoundObjectReference?',
    TokenRequestStatus: 'token=1:string! expirationTimestamp=2:time!',
    TokenReview: 'metadata=1:meta.ObjectMeta spec=2:TokenReviewSpec! status=3:TokenReviewStatus',
    TokenReviewSpec: 'token=1:string audiences=2:[]string',
    TokenReviewStatus: 'authenticated=1:bool user=2:UserInfo audiences=4:[]string error=3:string',
    UserInfo: 'username=1:string uid=2:string groups=3:[]string extra=4:{ExtraValue}',
  },
};
