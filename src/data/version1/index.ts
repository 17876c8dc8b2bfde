export { SessionV1 } from './SessionV1';
export { SessionV1Schema } from './SessionV1Schema';
export { SessionV1Json } from './SessionV1Json';
export { SessionV1Wire } from './SessionV1Wire';
export { SessionCloseReasonV1, SessionCloseReason } from './SessionCloseReasonV1';
export { SessionsErrorCatalogue, SessionsErrorCode, SessionsErrorEntry, SessionsErrorSource, SessionsApiName } from './SessionsErrorCatalogue';
