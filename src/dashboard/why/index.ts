// SPDX-License-Identifier: Apache-2.0
/** The dashboard's explanations, pure functions of API objects (the browser bundle and node tests share them). */
export { diagnosePod, pendingFindings, containerFindings, type Finding } from './pod-diagnosis.js';
export { diagnoseService } from './service-diagnosis.js';
export { summarizePodTable, phaseOfRow, type PodTableSummary, type PodTableRow } from './pod-table-summary.js';
export { nodeRooms, formatCPU, formatMemory, holdsResources, type NodeRoom } from './pod-resources.js';
export { costByNamespace, monthlyCost, HOURS_PER_MONTH, type Prices, type CostLine } from './cost.js';
export { rolloutSteps, type RolloutStep } from './rollout-timeline.js';
export { serviceReach, ingressReach, tlsCovers, portScheme, urlOf, nodeAddress, type Reach } from './service-urls.js';
export { objectURL } from './api-paths.js';
export { splitDocuments, fieldLine, fieldSegments, type ManifestDocument } from './manifest-lines.js';
export { addSample, usageOf, quantityNumber, niceCeiling, chartPoints, type Sample } from './metrics-history.js';
