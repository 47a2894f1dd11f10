export { AuditChainLogRecordProcessor, readChainHead } from './AuditChainLogRecordProcessor.js';
export type { AuditChainHead, AuditChainOptions } from './AuditChainLogRecordProcessor.js';
export { ERR_AUDIT_KEY_REQUIRED, verifyAuditChain } from './verifyAuditChain.js';
export type {
  AuditProblem,
  AuditProblemKind,
  AuditVerification,
  VerifyAuditChainOptions,
} from './verifyAuditChain.js';
export {
  ATTR_AUDIT_HASH,
  ATTR_AUDIT_PREV_HASH,
  ATTR_AUDIT_SEQ,
  ATTR_LOG_RECORD_UID,
  GENESIS_HASH,
  auditHash,
  canonicalForm,
} from './canonical.js';
export type { OtlpJsonLogRecord } from './canonical.js';
