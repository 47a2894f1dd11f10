export {
  createCategoryHelpers,
  type CategoryHelpers,
  type CategoryHelpersOptions,
} from './createCategoryHelpers.js';
export type { HelperAttributes } from './helperSupport.js';
export type { LlmCall, LlmHelpers } from './llmHelpers.js';
export type { PerformanceHelpers, PerformanceTimer } from './performanceHelpers.js';
export type { SecurityEvent, SecurityHelpers } from './securityHelpers.js';
export type { SystemHelpers } from './systemHelpers.js';
export type { ToolExecution, ToolHelpers } from './toolHelpers.js';
export type { UserHelpers, UserInteraction } from './userHelpers.js';
export { logged, timed, type LoggedOptions } from './decorators.js';
export {
  SecurityMonitor,
  type SecurityAlert,
  type SecurityMonitorOptions,
  type SecurityThresholds,
  type Threshold,
} from './SecurityMonitor.js';
export {
  ATTRS as CATEGORY_ATTRIBUTES,
  EVENTS as CATEGORY_EVENTS,
  METRICS as CATEGORY_METRICS,
} from './names.js';
export { summarise, truncate } from './summarise.js';
