export { captureConsole } from './console.js';
export type { CaptureConsoleOptions, ConsoleMethod } from './console.js';
export type { BridgeOptions } from './common.js';
export { pinoDestination } from './pino.js';
export type { PinoDestination, PinoDestinationOptions } from './pino.js';
export { winstonTransport } from './winston.js';
export type {
  WinstonTransportBaseOptions,
  WinstonTransportClass,
  WinstonTransportInstance,
  WinstonTransportOptions,
} from './winston.js';
