export {
  createCategoryHelpers,
  type CategoryHelpers,
  type CategoryHelpersOptions,
  type HelperAttributes,
  type LlmCall,
  type LlmHelpers,
  type PerformanceHelpers,
  type PerformanceTimer,
  type SecurityEvent,
  type SecurityHelpers,
  type SystemHelpers,
  type ToolExecution,
  type ToolHelpers,
  type UserHelpers,
  type UserInteraction,
} from './createCategoryHelpers.js';
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
