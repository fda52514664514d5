// SPDX-License-Identifier: Apache-2.0
/**
 * The DNS message model (RFC 1035 §4, SRV from RFC 2782, EDNS0 OPT from RFC
 * 6891): record types, classes, rcodes and the shape of a message, as
 * dns-decode.ts reads it off the wire and dns-encode.ts writes it. Only
 * what a cluster DNS server needs; record types it does not interpret
 * travel as raw bytes.
 */

/** RR types the server knows by name. */
export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
/** CLASS_IN is the Internet class, the only one served. */
export const CLASS_IN = 1;
/** RCODE values used in responses. */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** SrvData is the RDATA of an SRV record. */
export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** SoaData is the RDATA of an SOA record. */
export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/**
 * ResourceRecord is one record. `data` is an address for A/AAAA, a domain
 * name for CNAME/PTR/NS, SrvData, SoaData, or raw RDATA for anything else
 * (including OPT, whose class is the UDP payload size and ttl the extended
 * flags).
 */
export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: string | SrvData | SoaData | Buffer;
}

/** Question is one entry of the question section. */
export interface Question {
  name: string;
  type: number;
  class: number;
}

/** DnsMessage is a whole query or response. */
export interface DnsMessage {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

/** DnsFormatError is a message that cannot be parsed (answered with FORMERR). */
export class DnsFormatError extends Error {}

/** optRecord is the EDNS0 OPT pseudo-record advertising our UDP payload size. */
export function optRecord(udpSize: number): ResourceRecord {
  return { name: '', type: TYPE.OPT, class: udpSize, ttl: 0, data: Buffer.alloc(0) };
}
