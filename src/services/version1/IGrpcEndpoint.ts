import * as grpc from '@grpc/grpc-js';
import { Schema } from 'pip-services3-commons-nodex';

import { InvokeReplyMessage, InvokeRequestMessage } from '../../protos/SessionsProtoV1';
import { IGrpcRegisterable } from './IGrpcRegisterable';

/** A method of the commandable contract: takes the call, always resolves with a reply. */
export type CommandableGrpcAction = (call: grpc.ServerUnaryCall<InvokeRequestMessage, InvokeReplyMessage>) => Promise<InvokeReplyMessage>;

/**
 * What the gRPC services need of the endpoint they find in their references
 * (*:endpoint:grpc:*:1.0): SessionsGrpcEndpoint, or any endpoint with the toolkit's
 * GrpcEndpoint methods. Matched by its methods, never by its class, so an endpoint built
 * by another copy of the toolkit serves as well.
 */
export interface IGrpcEndpoint {
    /** The registration runs each time the endpoint opens. */
    register(registration: IGrpcRegisterable): void;
    unregister(registration: IGrpcRegisterable): void;
    /** Called by the services while the endpoint runs their registrations. */
    registerService(service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void;
    /**
     * A method of commandable.Commandable/invoke, by its name (v1/sessions.<command>).
     * The name keeps the toolkit's spelling, so its endpoints match this contract too.
     */
    registerCommadableMethod(method: string, schema: Schema | null, action: CommandableGrpcAction): void;
}
