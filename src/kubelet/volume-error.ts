// SPDX-License-Identifier: Apache-2.0
/** VolumeError is a volume that could not be set up; message is upstream's FailedMount text. */
export class VolumeError extends Error {}
