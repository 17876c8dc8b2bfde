/**
 * A gRPC service that adds its methods to an endpoint while the endpoint opens (see
 * IGrpcEndpoint.register). Ours because the toolkit's IRegisterable is not exported and
 * its package index pulls restify, which does not load on Node 24.
 */
export interface IGrpcRegisterable {
    register(): void;
}
