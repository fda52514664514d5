// SPDX-License-Identifier: Apache-2.0
/** The built-in web dashboard: its files, its listener and Service, and its explanations. */
export { DashboardFiles, DEFAULT_UI_DIR } from './static-files.js';
export { dashboardListener, publishDashboardService, DASHBOARD_NAMESPACE, DASHBOARD_SERVICE } from './dashboard-service.js';
