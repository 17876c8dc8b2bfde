export { ISessionsClientV1 } from './ISessionsClientV1';
export { SessionsCommandableHttpClientV1 } from './SessionsCommandableHttpClientV1';
// The name the service's README has always used for the HTTP client.
export { SessionsCommandableHttpClientV1 as SessionsHttpClientV1 } from './SessionsCommandableHttpClientV1';
export { SessionsDirectClientV1 } from './SessionsDirectClientV1';
export { SessionsNullClientV1 } from './SessionsNullClientV1';
export { SessionsMockClientV1 } from './SessionsMockClientV1';
export { SessionsGrpcClientV1 } from './SessionsGrpcClientV1';
export { SessionsCommandableGrpcClientV1 } from './SessionsCommandableGrpcClientV1';
