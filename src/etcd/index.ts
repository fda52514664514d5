// SPDX-License-Identifier: Apache-2.0
/**
 * etcd: the server's own etcd member (k3s's embedded etcd, here Debian's
 * etcd binary supervised as a child): its layout and certificates, the
 * supervisor, membership changes, snapshot restore, and the controller that
 * removes the member of a deleted server node.
 */
export { clientTLS, ensureMemberCertificates, etcdDataDirOf, hasManagedEtcd, layoutOf, loadOrCreateMember, type MemberIdentity, type MemberLayout } from './member-config.js';
export { EtcdSupervisor, ETCD_BINARY, type Bootstrap, type EtcdSupervisorOptions } from './etcd-supervisor.js';
export { addMember, faultTolerance, quorumNote, removeMember } from './membership.js';
export { watchQuorum } from './quorum-monitor.js';
export { restoreSnapshot, RestoreError, type RestoreResult } from './snapshot-restore.js';
export { EtcdMemberController, MEMBER_FINALIZER, nodeOfMember } from './member-controller.js';
